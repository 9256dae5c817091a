namespace Gatehouse.Caching.Middleware;

/// <summary>Settings of the cache as a whole (per-route ones are in <see cref="HttpCacheRouteSettings"/>).</summary>
public sealed class HttpCacheOptions
{
    /// <summary>The cache's name in Cache-Status (RFC 9211 §2).</summary>
    public string CacheName { get; set; } = "Gatehouse";

    /// <summary>How long a request waits for an identical one already on its way to the origin before going itself.</summary>
    public TimeSpan CollapseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a response for a key turned out uncacheable (no-store, private, too large…), how long later misses for that
    /// key go to the origin at once instead of waiting behind one another's forward (Varnish calls it hit-for-miss).
    /// Zero: always collapse.
    /// </summary>
    public TimeSpan SkipCollapsingAfterUncacheable { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a background refresh (stale-while-revalidate) may take before it is abandoned.</summary>
    public TimeSpan BackgroundRefreshTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Memory store: total bytes kept.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Memory store: the largest single response stored; larger ones stream through unstored.</summary>
    public long MaxEntryBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Optional disk tier directory (survives restarts); null for memory only.</summary>
    public string? DiskPath { get; set; }

    /// <summary>Disk tier: total bytes kept.</summary>
    public long DiskMaxBytes { get; set; } = 1024L * 1024 * 1024;
}
