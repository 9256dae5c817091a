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
    public static AdminStatusBody Build(int revision, GatehouseConfig config, IProxyStateLookup proxyState, DestinationControls controls, IHttpCacheStore? cache, ClusterConnection? cluster = null) => new(
        Revision: revision,
        Routes: config.Routes.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new AdminRoute(
            Id: r.Key,
            Cluster: r.Value.ClusterId,
            Hosts: r.Value.Match.Hosts,
            Path: r.Value.Match.PathPrefix ?? r.Value.Match.Path,
            Methods: r.Value.Match.Methods,
            Cached: r.Value.Cache.Enabled)),
        Clusters: Clusters(proxyState, controls),
        Cache: cache?.Statistics,
        Cluster: AdminClusterStatus.Build(cluster, cache as ClusterHttpCacheStore));

    public static IReadOnlyList<AdminCluster> Clusters(IProxyStateLookup proxyState, DestinationControls controls) =>
        proxyState.GetClusters().OrderBy(c => c.ClusterId, StringComparer.Ordinal).Select(c => new AdminCluster(
            Id: c.ClusterId,
            LoadBalancingPolicy: c.Model.Config.LoadBalancingPolicy,
            SessionAffinity: c.Model.Config.SessionAffinity?.Enabled == true,
            Destinations: c.Destinations.Values.OrderBy(d => d.DestinationId, StringComparer.Ordinal).Select(d => Destination(c.ClusterId, d, controls)).ToList())).ToList();

    public static AdminDestination Destination(string clusterId, DestinationState destination, DestinationControls controls) => new(
        Id: destination.DestinationId,
        Address: ConfigRedaction.WithoutUserInfo(destination.Model.Config.Address),
        Active: destination.Health.Active.ToString(),
        Passive: destination.Health.Passive.ToString(),
        ConcurrentRequests: destination.ConcurrentRequestCount,
        State: DestinationStates.Describe(controls.ModeOf(clusterId, destination), destination.ConcurrentRequestCount));
}
