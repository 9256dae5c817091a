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
    public static object Build(
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
        return new
        {
            revision,
            time = now,
            routes = routeIds.Select(id =>
            {
                var current = traffic.GetValueOrDefault(id) ?? RouteTrafficSnapshot.Zero;
                var window = RouteTrafficWindow.Between(earlier.Traffic.GetValueOrDefault(id) ?? RouteTrafficSnapshot.Zero, current, now - earlier.Time);
                return new
                {
                    id,
                    cluster = config.Routes.GetValueOrDefault(id)?.ClusterId,
                    requests = current.Requests,
                    serverErrors = current.ServerErrors,
                    requestsPerSecond = Math.Round(window.RequestsPerSecond, 1),
                    errorRate = Math.Round(window.ErrorRate, 4),
                    p50Ms = window.P50Ms is { } p50 ? Math.Round(p50, 1) : (double?)null,
                    p99Ms = window.P99Ms is { } p99 ? Math.Round(p99, 1) : (double?)null,
                };
            }),
            clusters = AdminStatus.Clusters(proxyState, controls),
            cache = cache is null ? null : new
            {
                cache.Statistics.Entries,
                cache.Statistics.Bytes,
                cache.Statistics.MaxBytes,
                cache.Statistics.Evictions,
                hits = totals.Hits,
                misses = totals.Misses,
                hitRatio = totals.Hits + totals.Misses == 0 ? (double?)null : Math.Round((double)totals.Hits / (totals.Hits + totals.Misses), 4),
            },
            certificates = AdminCertificates.List(certificates, now),
            reloads,
        };
    }
}
