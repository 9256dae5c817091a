namespace Gatehouse.Caching;

/// <summary>The knobs of the cache's decisions that RFC 9111 leaves to the cache; one per route.</summary>
public sealed record CachePolicy
{
    /// <summary>The targeted field for all CDNs (RFC 9213 §3).</summary>
    public const string CdnCacheControl = "CDN-Cache-Control";

    /// <summary>The defaults: CDN-Cache-Control honoured, 10% heuristic capped at a day, no stale-on-error fallback.</summary>
    public static CachePolicy Default { get; } = new();

    /// <summary>
    /// The cache's target list (RFC 9213 §2.2), most specific first, e.g. <c>["Gatehouse-Cache-Control",
    /// "CDN-Cache-Control"]</c>. The first one present and valid replaces Cache-Control and Expires.
    /// </summary>
    public IReadOnlyList<string> TargetedFieldNames { get; init; } = [CdnCacheControl];

    /// <summary>
    /// Heuristic freshness (RFC 9111 §4.2.2) as a fraction of the time between Last-Modified and Date; 0 turns
    /// heuristics off. The RFC calls 10% typical.
    /// </summary>
    public double HeuristicFraction { get; init; } = 0.1;

    /// <summary>The most heuristic freshness a response can get, however old its Last-Modified.</summary>
    public TimeSpan HeuristicMaxLifetime { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How stale a response may be served when the origin fails and the response has no <c>stale-if-error</c> of its
    /// own — the "configuration in accordance with an out-of-band contract" of RFC 9111 §4.2.4. Zero turns it off.
    /// Never overrides must-revalidate, proxy-revalidate, s-maxage or no-cache.
    /// </summary>
    public TimeSpan MaxStaleOnError { get; init; } = TimeSpan.Zero;
}
