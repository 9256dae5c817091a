namespace Gatehouse.Cluster.Caching;

public sealed record SharedCacheOptions
{
    /// <summary>The default <see cref="MaxEntryBytes"/>: 1 MiB.</summary>
    public const long DefaultMaxEntryBytes = 1024 * 1024;

    /// <summary>
    /// The largest entry (<c>CachedResponse.Size</c>) written to Redis; larger ones stay in the node's own tiers. Redis
    /// serves one command at a time, so one large value delays every node's commands while it moves.
    /// </summary>
    public long MaxEntryBytes { get; init; } = DefaultMaxEntryBytes;

    /// <summary>How many removals made while Redis was away are kept to tell the other nodes when it is back.</summary>
    public int MaxPendingRemovals { get; init; } = 10_000;
}
