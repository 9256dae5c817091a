using System.Collections.Concurrent;

namespace Gatehouse.Observability;

/// <summary>
/// Per-route request counters kept in process for the dashboard: requests, server errors (5xx), cache hits and misses,
/// and a duration histogram, all cumulative since start. Readers take <see cref="Snapshot"/>s and compute rates and
/// percentiles over the difference of two (<see cref="RouteTrafficWindow"/>). Routes are the config's route ids (a
/// bounded set) plus <see cref="Unrouted"/>, never anything a client chose. The metrics exporter is meant to replace it
/// as the dashboard's source once it offers the same per-route snapshot.
/// </summary>
public sealed class RouteTraffic
{
    /// <summary>The name requests no route took are counted under.</summary>
    public const string Unrouted = "(none)";

    /// <summary>Upper bounds of the duration buckets, in milliseconds; a last, open bucket takes the rest.</summary>
    public static readonly double[] BucketBoundsMs = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

    private readonly ConcurrentDictionary<string, Counters> _routes = new(StringComparer.OrdinalIgnoreCase);

    public void Record(string route, int status, double elapsedMs, bool? cacheHit)
    {
        var counters = _routes.GetOrAdd(route, static _ => new Counters());
        Interlocked.Increment(ref counters.Requests);
        if (status >= 500)
        {
            Interlocked.Increment(ref counters.ServerErrors);
        }

        if (cacheHit is { } hit)
        {
            Interlocked.Increment(ref hit ? ref counters.CacheHits : ref counters.CacheMisses);
        }

        var bucket = Array.BinarySearch(BucketBoundsMs, elapsedMs);
        Interlocked.Increment(ref counters.Buckets[bucket < 0 ? ~bucket : bucket]);
    }

    public IReadOnlyDictionary<string, RouteTrafficSnapshot> Snapshot() =>
        _routes.ToDictionary(r => r.Key, r => r.Value.Read(), StringComparer.OrdinalIgnoreCase);

    private sealed class Counters
    {
        public long Requests;
        public long ServerErrors;
        public long CacheHits;
        public long CacheMisses;
        public readonly long[] Buckets = new long[BucketBoundsMs.Length + 1];

        public RouteTrafficSnapshot Read() => new(
            Interlocked.Read(ref Requests), Interlocked.Read(ref ServerErrors), Interlocked.Read(ref CacheHits), Interlocked.Read(ref CacheMisses),
            Buckets.Select(b => Interlocked.Read(ref b)).ToArray());
    }
}

/// <summary>One route's cumulative counters at one moment.</summary>
public sealed record RouteTrafficSnapshot(long Requests, long ServerErrors, long CacheHits, long CacheMisses, long[] Buckets)
{
    public static RouteTrafficSnapshot Zero { get; } = new(0, 0, 0, 0, new long[RouteTraffic.BucketBoundsMs.Length + 1]);
}
