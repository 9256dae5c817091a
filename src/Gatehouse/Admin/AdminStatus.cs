using Gatehouse.Caching.Storage;
using Gatehouse.Cluster;
using Gatehouse.Cluster.Caching;
using Gatehouse.Configuration;
using Gatehouse.Runtime;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Admin;

/// <summary>
/// The body of <c>GET /status</c>: the revision in force, every route, every cluster with each destination's address,
/// health (active and passive), requests in flight and run-time state (active, draining, drained, disabled).
/// </summary>
internal static class AdminStatus
{
    public static object Build(int revision, GatehouseConfig config, IProxyStateLookup proxyState, DestinationControls controls, IHttpCacheStore? cache, ClusterConnection? cluster = null) => new
    {
        revision,
        routes = config.Routes.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new
        {
            id = r.Key,
            cluster = r.Value.ClusterId,
            hosts = r.Value.Match.Hosts,
            path = r.Value.Match.PathPrefix ?? r.Value.Match.Path,
            methods = r.Value.Match.Methods,
            cached = r.Value.Cache.Enabled,
        }),
        clusters = Clusters(proxyState, controls),
        cache = cache?.Statistics,
        cluster = AdminClusterStatus.Build(cluster, cache as ClusterHttpCacheStore),
    };

    public static IEnumerable<object> Clusters(IProxyStateLookup proxyState, DestinationControls controls) =>
        proxyState.GetClusters().OrderBy(c => c.ClusterId, StringComparer.Ordinal).Select(c => new
        {
            id = c.ClusterId,
            loadBalancingPolicy = c.Model.Config.LoadBalancingPolicy,
            sessionAffinity = c.Model.Config.SessionAffinity?.Enabled == true,
            destinations = c.Destinations.Values.OrderBy(d => d.DestinationId, StringComparer.Ordinal).Select(d => Destination(c.ClusterId, d, controls)).ToList(),
        }).ToList();

    public static object Destination(string clusterId, DestinationState destination, DestinationControls controls) => new
    {
        id = destination.DestinationId,
        address = ConfigRedaction.WithoutUserInfo(destination.Model.Config.Address),
        active = destination.Health.Active.ToString(),
        passive = destination.Health.Passive.ToString(),
        concurrentRequests = destination.ConcurrentRequestCount,
        state = DestinationStates.Describe(controls.ModeOf(clusterId, destination), destination.ConcurrentRequestCount),
    };
}
