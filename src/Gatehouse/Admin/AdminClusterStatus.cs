using Gatehouse.Cluster;
using Gatehouse.Cluster.Caching;

namespace Gatehouse.Admin;

/// <summary>
/// The <c>cluster</c> part of <c>GET /status</c> (cluster mode only): this node's name, the Redis endpoints (never the
/// password), the connection's state, since when, why when it is not connected, and the shared cache's L1/L2 split.
/// </summary>
internal static class AdminClusterStatus
{
    public static AdminClusterNode? Build(ClusterConnection? connection, ClusterHttpCacheStore? cache)
    {
        if (connection is null)
        {
            return null;
        }

        var status = connection.Status;
        return new AdminClusterNode(
            Node: connection.NodeName,
            Redis: connection.Endpoints,
            KeyPrefix: connection.Keys.Prefix,
            State: status.State.ToString().ToLowerInvariant(),
            Since: status.Since,
            LastError: status.LastError,
            Cache: cache?.SharedStatistics);
    }
}
