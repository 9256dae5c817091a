using Gatehouse.Caching.Storage;
using Gatehouse.Configuration;
using Gatehouse.Observability;
using Gatehouse.Runtime;
using Gatehouse.Tls;
using Yarp.ReverseProxy;

namespace Gatehouse.Admin.Dashboard;

/// <summary>
/// One event of the dashboard's stream: routes with their request rate, error rate and p50/p99 over the last seconds
/// (from <see cref="RouteTraffic"/>), clusters with each destination's health, in-flight requests and state, the cache,
/// certificates with days left, and the last reloads.
/// </summary>
internal static class DashboardSnapshot
{
    public static DashboardEvent Build(
        GatehouseConfig config,
        int revision,
        DateTimeOffset now,
        IReadOnlyDictionary<string, RouteTrafficSnapshot> traffic,
        (DateTimeOffset Time, IReadOnlyDictionary<string, RouteTrafficSnapshot> Traffic) earlier,
        IProxyStateLookup proxyState,
        DestinationControls controls,
        IHttpCacheStore? cache,
        CertificateStore certificates,
        IReadOnlyList<ReloadRecord> reloads)
    {
        var routeIds = config.Routes.Keys.Order(StringComparer.Ordinal).Concat(traffic.Keys.Where(k => k == RouteTraffic.Unrouted)).ToList();
        var totals = traffic.Values.Aggregate((Hits: 0L, Misses: 0L), (sum, t) => (sum.Hits + t.CacheHits, sum.Misses + t.CacheMisses));
        return new DashboardEvent(
            Revision: revision,
            Time: now,
            Routes: routeIds.Select(id =>
            {
                var current = traffic.GetValueOrDefault(id) ?? RouteTrafficSnapshot.Zero;
                var window = RouteTrafficWindow.Between(earlier.Traffic.GetValueOrDefault(id) ?? RouteTrafficSnapshot.Zero, current, now - earlier.Time);
                return new DashboardRoute(
                    Id: id,
                    Cluster: config.Routes.GetValueOrDefault(id)?.ClusterId,
                    Requests: current.Requests,
                    ServerErrors: current.ServerErrors,
                    RequestsPerSecond: Math.Round(window.RequestsPerSecond, 1),
                    ErrorRate: Math.Round(window.ErrorRate, 4),
                    P50Ms: window.P50Ms is { } p50 ? Math.Round(p50, 1) : null,
                    P99Ms: window.P99Ms is { } p99 ? Math.Round(p99, 1) : null);
            }),
            Clusters: AdminStatus.Clusters(proxyState, controls),
            Cache: cache is null ? null : new DashboardCache(
                cache.Statistics.Entries,
                cache.Statistics.Bytes,
                cache.Statistics.MaxBytes,
                cache.Statistics.Evictions,
                Hits: totals.Hits,
                Misses: totals.Misses,
                HitRatio: totals.Hits + totals.Misses == 0 ? null : Math.Round((double)totals.Hits / (totals.Hits + totals.Misses), 4)),
            Certificates: AdminCertificates.List(certificates, now),
            Reloads: reloads);
    }
}
