namespace Gatehouse.Caching;

/// <summary>What goes into a route's cache key besides scheme, host, path and query.</summary>
public sealed record CacheKeyOptions
{
    /// <summary>The defaults: the query as received, nothing else added.</summary>
    public static CacheKeyOptions Default { get; } = new();

    /// <summary>
    /// Query parameters left out of the key, by name as decoded, case-sensitive; a name ending in <c>*</c> is a prefix
    /// (<c>utm_*</c>).
    /// </summary>
    public IReadOnlyList<string> IgnoredQueryParameters { get; init; } = [];

    /// <summary>Sort query parameters by name, so that <c>?a=1&amp;b=2</c> and <c>?b=2&amp;a=1</c> share a key. Repeated names keep their order.</summary>
    public bool SortQueryParameters { get; init; }

    /// <summary>Request headers whose values are added to the key (for variations the origin does not declare in Vary).</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];

    /// <summary>Cookies whose values are added to the key.</summary>
    public IReadOnlyList<string> Cookies { get; init; } = [];
}
