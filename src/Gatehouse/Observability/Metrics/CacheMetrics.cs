using System.Diagnostics.Metrics;
using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Gatehouse.Http;

namespace Gatehouse.Observability.Metrics;

/// <summary>
/// The HTTP cache: each request's outcome by route (<see cref="CacheOutcome"/>), responses stored, and the store's
/// entries, bytes and evictions read at each scrape.
/// </summary>
public sealed class CacheMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _stored;

    public CacheMetrics(IMeterFactory meters, IServiceProvider services)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        _requests = meter.CreateCounter<long>("gatehouse.cache.requests", "{request}",
            "Requests on cached routes by route and outcome: hit, stale, collapsed, miss, revalidation, bypass.");
        _stored = meter.CreateCounter<long>("gatehouse.cache.stores", "{response}", "Responses the cache stored, by route.");
        if (services.GetService<IHttpCacheStore>() is { } store)
        {
            meter.CreateObservableGauge("gatehouse.cache.entries", () => store.Statistics.Entries, "{entry}", "Responses held in the cache's memory store.");
            meter.CreateObservableGauge("gatehouse.cache.size", () => store.Statistics.Bytes, "By", "Bytes held in the cache's memory store.");
            meter.CreateObservableGauge("gatehouse.cache.size.limit", () => store.Statistics.MaxBytes, "By", "The memory store's limit (cache.maxBytes).");
            meter.CreateObservableCounter("gatehouse.cache.evictions", () => store.Statistics.Evictions, "{entry}", "Entries evicted to make room.");
            ClusterMetrics.Register(meter, services.GetService<Cluster.ClusterConnection>(), store as Cluster.Caching.ClusterHttpCacheStore);
        }

        CacheName = services.GetService<Microsoft.Extensions.Options.IOptions<HttpCacheOptions>>()?.Value.CacheName ?? "Gatehouse";
    }

    public string CacheName { get; }

    public void Record(string route, string? cacheStatus)
    {
        if (cacheStatus is null || !_requests.Enabled)
        {
            return;
        }

        var (outcome, stored) = CacheOutcome.Classify(cacheStatus, CacheName);
        if (outcome is null)
        {
            return;
        }

        var routeTag = new KeyValuePair<string, object?>("route", route);
        _requests.Add(1, routeTag, new KeyValuePair<string, object?>("outcome", outcome));
        if (stored)
        {
            _stored.Add(1, routeTag);
        }
    }
}
