namespace Gatehouse.Caching.Middleware;

/// <summary>How the cache treats the requests of one route. Immutable; the host resolves one per request.</summary>
public sealed record HttpCacheRouteSettings
{
    public static HttpCacheRouteSettings Default { get; } = new();

    /// <summary>The decision knobs: targeted fields, heuristic freshness, stale-on-error fallback.</summary>
    public CachePolicy Policy { get; init; } = CachePolicy.Default;

    public CacheKeyOptions Key { get; init; } = CacheKeyOptions.Default;

    /// <summary>
    /// The cache's own targeted field (RFC 9213), e.g. <c>Gatehouse-Cache-Control</c>: it takes precedence over
    /// CDN-Cache-Control and Cache-Control and is removed from responses to clients. Null: none.
    /// It is expected to be listed first in <see cref="CachePolicy.TargetedFieldNames"/> as well.
    /// </summary>
    public string? OwnTargetedField { get; init; }

    /// <summary>The response header whose comma- or space-separated values are purge tags (Cache-Tag, Surrogate-Key). Null: no tags.</summary>
    public string? TagHeader { get; init; } = "Cache-Tag";

    /// <summary>Add <c>key="…"</c> to Cache-Status (RFC 9211 §2.7); for debugging only, since keys can reveal internals.</summary>
    public bool ExposeKey { get; init; }
}
