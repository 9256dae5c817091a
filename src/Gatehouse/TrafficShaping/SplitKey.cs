namespace Gatehouse.TrafficShaping;

/// <summary>Where a sticky split reads the client's key: its address, a request header or a cookie.</summary>
public enum SplitKeySource
{
    ClientAddress,
    Header,
    Cookie,
}

/// <summary>A route's <c>splitKey</c>, parsed: <c>ip</c>, <c>header:NAME</c> or <c>cookie:NAME</c>.</summary>
public sealed record SplitKey(SplitKeySource Source, string Name)
{
    public static bool TryParse(string? text, out SplitKey? key)
    {
        key = null;
        if (text is null)
        {
            return true;
        }

        if (text.Equals("ip", StringComparison.OrdinalIgnoreCase))
        {
            key = new SplitKey(SplitKeySource.ClientAddress, "");
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? "" : text[(colon + 1)..].Trim();
        if (name.Length == 0)
        {
            return false;
        }

        var source = text[..colon].Trim().ToLowerInvariant() switch
        {
            "header" => SplitKeySource.Header,
            "cookie" => SplitKeySource.Cookie,
            _ => (SplitKeySource?)null,
        };
        if (source is null)
        {
            return false;
        }

        key = new SplitKey(source.Value, name);
        return true;
    }

    /// <summary>The request's key; null when the request has none (no such header or cookie), so it is drawn at random.</summary>
    public string? Of(HttpContext context) => Source switch
    {
        SplitKeySource.ClientAddress => context.Connection.RemoteIpAddress?.ToString(),
        SplitKeySource.Header => context.Request.Headers[Name] is { Count: > 0 } values && !string.IsNullOrEmpty(values[0]) ? values[0] : null,
        _ => context.Request.Cookies[Name] is { Length: > 0 } cookie ? cookie : null,
    };
}
