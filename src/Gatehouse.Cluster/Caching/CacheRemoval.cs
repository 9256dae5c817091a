namespace Gatehouse.Cluster.Caching;

public enum CacheRemovalKind
{
    /// <summary>Every variant of every key of one target (purge by URL, invalidation by an unsafe method).</summary>
    Target,

    /// <summary>Every target that starts with the value (purge by prefix).</summary>
    TargetPrefix,

    /// <summary>Every entry carrying the tag (purge by tag).</summary>
    Tag,

    /// <summary>One variant (<see cref="CacheRemoval.VaryKey"/>) of one key.</summary>
    Variant,
}

/// <summary>
/// A removal one node made, as it tells the others over pub/sub so that they drop it from their memory too:
/// <c>v1 LF node LF kind LF value [LF varyKey]</c>. Pure; anything else parses to null and is ignored.
/// </summary>
public sealed record CacheRemoval(CacheRemovalKind Kind, string Value, string VaryKey = "")
{
    private const string Version = "v1";

    public string Encode(string sender) =>
        string.Join('\n', Version, sender, Kind.ToString(), Value) + (Kind == CacheRemovalKind.Variant ? "\n" + VaryKey : "");

    public static (string Sender, CacheRemoval Removal)? TryParse(string? message)
    {
        if (message is null)
        {
            return null;
        }

        var parts = message.Split('\n');
        if (parts.Length < 4 || parts[0] != Version || !Enum.TryParse<CacheRemovalKind>(parts[2], out var kind) || !Enum.IsDefined(kind))
        {
            return null;
        }

        var expected = kind == CacheRemovalKind.Variant ? 5 : 4;
        return parts.Length == expected ? (parts[1], new CacheRemoval(kind, parts[3], kind == CacheRemovalKind.Variant ? parts[4] : "")) : null;
    }
}
