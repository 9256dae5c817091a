using Gatehouse.Configuration;
using Gatehouse.Upstream;

namespace Gatehouse.Forwarding;

/// <summary>
/// A cluster's settings for the lean path: whether it may be used, and the pool options from the cluster's
/// <c>httpClient</c> section (the same connect and idle timeouts HttpClient gets on the YARP path).
/// </summary>
public sealed record LeanForwarding(bool Enabled, UpstreamOptions Options)
{
    /// <summary>Where the config gives zero: no connect timeout (HttpClient's default), and the default idle timeout.</summary>
    public static LeanForwarding From(ClusterDefinition cluster, GatehouseConfig config)
    {
        var client = cluster.HttpClient;
        var options = new UpstreamOptions
        {
            ConnectTimeout = client.ConnectTimeout.Value is { } connect && connect > TimeSpan.Zero ? connect : Timeout.InfiniteTimeSpan,
            IdleTimeout = client.PooledConnectionIdleTimeout.Value is { } idle && idle > TimeSpan.Zero ? idle : HttpClientDefinition.DefaultPooledConnectionIdleTimeout,
        };

        // maxConnectionsPerServer queues requests in HttpClient; the lean pool has no such limit, so YARP keeps those clusters.
        return new LeanForwarding(ForwarderModes.UsesLean(config.Forwarder) && client.MaxConnectionsPerServer is null, options);
    }
}
