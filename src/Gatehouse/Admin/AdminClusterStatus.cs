using Gatehouse.Cluster;

namespace Gatehouse.Admin;

/// <summary>
/// The <c>cluster</c> part of <c>GET /status</c> (cluster mode only): this node's name, the Redis endpoints (never the
/// password), the connection's state, since when, and why when it is not connected.
/// </summary>
internal static class AdminClusterStatus
{
    public static object? Build(ClusterConnection? connection)
    {
        if (connection is null)
        {
            return null;
        }

        var status = connection.Status;
        return new
        {
            node = connection.NodeName,
            redis = connection.Endpoints,
            keyPrefix = connection.Keys.Prefix,
            state = status.State.ToString().ToLowerInvariant(),
            since = status.Since,
            lastError = status.LastError,
        };
    }
}
