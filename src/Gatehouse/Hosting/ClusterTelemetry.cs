using System.Diagnostics.Metrics;
using Gatehouse.Cluster;
using Gatehouse.Http;

namespace Gatehouse.Hosting;

/// <summary>
/// Cluster mode's connection on <c>/metrics</c>: <c>gatehouse_cluster_redis_connected</c> (1 while this node reaches
/// Redis, else 0) and <c>gatehouse_cluster_redis_state_seconds</c> (how long the current state has lasted).
/// </summary>
internal sealed class ClusterTelemetry
{
    public ClusterTelemetry(IMeterFactory meters, ClusterConnection connection, TimeProvider time)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        meter.CreateObservableGauge("gatehouse.cluster.redis.connected", () => connection.IsConnected ? 1 : 0, "{state}",
            "1 while this node reaches the cluster's Redis, 0 while it serves alone (docs/cluster.md).");
        meter.CreateObservableGauge("gatehouse.cluster.redis.state", () => (time.GetUtcNow() - connection.Status.Since).TotalSeconds, "s",
            "How long the Redis connection has been in its current state (connected or not).");
    }
}
