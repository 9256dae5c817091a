namespace Gatehouse.LoadBalancing;

/// <summary>What a consistent-hash cluster hashes: the client IP, the path, a header or a cookie.</summary>
public sealed record HashKey(HashKeySource Source, string? Name)
{
    public static HashKey ClientIp { get; } = new(HashKeySource.ClientIp, null);

    /// <summary>Parses <c>ip</c>, <c>path</c>, <c>header:NAME</c> or <c>cookie:NAME</c>.</summary>
    public static bool TryParse(string? text, out HashKey key)
    {
        key = ClientIp;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? text : text[..colon];
        var name = colon < 0 ? null : text[(colon + 1)..];
        HashKeySource? source = kind.ToLowerInvariant() switch
        {
            "ip" when name is null => HashKeySource.ClientIp,
            "path" when name is null => HashKeySource.Path,
            "header" when !string.IsNullOrWhiteSpace(name) => HashKeySource.Header,
            "cookie" when !string.IsNullOrWhiteSpace(name) => HashKeySource.Cookie,
            _ => null,
        };
        if (source is null)
        {
            return false;
        }

        key = new HashKey(source.Value, name);
        return true;
    }
}

public enum HashKeySource
{
    ClientIp,
    Path,
    Header,
    Cookie,
}
