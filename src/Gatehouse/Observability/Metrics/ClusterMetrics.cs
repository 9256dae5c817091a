using System.Diagnostics.Metrics;
using Gatehouse.Cluster;
using Gatehouse.Cluster.Caching;

namespace Gatehouse.Observability.Metrics;

/// <summary>Cluster mode (docs/cluster.md): the shared cache's L1/L2 split and its Redis failures, read at each scrape.</summary>
internal static class ClusterMetrics
{
    public static void Register(Meter meter, ClusterConnection? connection, ClusterHttpCacheStore? cache)
    {
        // The connection's own state (gatehouse.cluster.redis.connected) is Hosting/ClusterTelemetry's.
        if (connection is null || cache is null)
        {
            return;
        }

        meter.CreateObservableCounter("gatehouse.cache.lookups", () =>
        {
            var statistics = cache.SharedStatistics;
            return new[]
            {
                new Measurement<long>(statistics.L1Hits, new KeyValuePair<string, object?>("tier", "l1")),
                new Measurement<long>(statistics.L2Hits, new KeyValuePair<string, object?>("tier", "l2")),
                new Measurement<long>(statistics.Misses, new KeyValuePair<string, object?>("tier", "none")),
            };
        }, "{lookup}", "Store lookups of the shared cache by the tier that answered: l1 (this node's store), l2 (Redis), none.");
        meter.CreateObservableCounter("gatehouse.cache.shared.writes", () => cache.SharedStatistics.Shared, "{response}",
            "Responses this node wrote to Redis for the other nodes.");
        meter.CreateObservableCounter("gatehouse.cluster.redis.failures", () => cache.SharedStatistics.RedisFailures, "{command}",
            "Redis commands of the shared cache that failed; the node answered from its own store instead.");
    }
}
