namespace Gatehouse.Cluster.Caching;

/// <summary>
/// What the shared cache counted since start: store lookups answered by this node's memory (L1), by Redis (L2), or by
/// neither; writes shared and kept local; entries ignored (corrupt or another format); Redis failures the cache absorbed.
/// </summary>
public readonly record struct SharedCacheStatistics(
    long L1Hits,
    long L2Hits,
    long Misses,
    long Shared,
    long TooLargeToShare,
    long Ignored,
    long RedisFailures,
    long RemovalsReceived,
    long RemovalsPending);
