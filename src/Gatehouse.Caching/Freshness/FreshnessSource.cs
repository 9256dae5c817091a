namespace Gatehouse.Caching;

/// <summary>Where a freshness lifetime came from.</summary>
public enum FreshnessSource
{
    /// <summary>No explicit or heuristic lifetime: stale from the start.</summary>
    None,

    /// <summary><c>s-maxage</c>.</summary>
    SharedMaxAge,

    /// <summary><c>max-age</c>.</summary>
    MaxAge,

    /// <summary>Expires minus Date.</summary>
    Expires,

    /// <summary>A fraction of the time since Last-Modified (§4.2.2).</summary>
    Heuristic,
}
