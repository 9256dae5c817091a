using Gatehouse.Observability;

namespace Gatehouse.Tests.Observability;

public sealed class RouteTrafficTests
{
    [Fact]
    public void Record_CountsRequestsServerErrorsCacheOutcomesAndBuckets()
    {
        var traffic = new RouteTraffic();
        traffic.Record("api", 200, 0.4, cacheHit: true);
        traffic.Record("API", 503, 7, cacheHit: false);
        traffic.Record("api", 404, 20_000, cacheHit: null);

        var api = Assert.Single(traffic.Snapshot()).Value;

        Assert.Equal((3, 1, 1, 1), (api.Requests, api.ServerErrors, api.CacheHits, api.CacheMisses));
        Assert.Equal(1, api.Buckets[0]);   // ≤ 1 ms
        Assert.Equal(1, api.Buckets[3]);   // ≤ 10 ms
        Assert.Equal(1, api.Buckets[^1]);  // beyond the last bound
    }

    [Fact]
    public void Window_GivesRatesOverTheDifference()
    {
        var earlier = new RouteTrafficSnapshot(100, 2, 0, 0, Buckets((5, 100)));
        var later = new RouteTrafficSnapshot(300, 12, 0, 0, Buckets((5, 300)));

        var window = RouteTrafficWindow.Between(earlier, later, TimeSpan.FromSeconds(10));

        Assert.Equal(20, window.RequestsPerSecond);
        Assert.Equal(0.05, window.ErrorRate, 6);
    }

    [Fact]
    public void Percentile_InterpolatesInsideTheBucket()
    {
        // 100 observations, all in the (5, 10] ms bucket: p50 is halfway through it, p99 near its top.
        var buckets = Buckets((3, 100));

        Assert.Equal(7.5, RouteTrafficWindow.Percentile(buckets, 0.50)!.Value, 6);
        Assert.Equal(9.95, RouteTrafficWindow.Percentile(buckets, 0.99)!.Value, 6);
    }

    [Fact]
    public void Percentile_SeesTheSlowTail_AndNothingWithoutObservations()
    {
        var buckets = Buckets((0, 98), (9, 2)); // 98 under 1 ms, 2 in (500, 1000] ms

        Assert.InRange(RouteTrafficWindow.Percentile(buckets, 0.50)!.Value, 0, 1);
        Assert.InRange(RouteTrafficWindow.Percentile(buckets, 0.99)!.Value, 500, 1000);
        Assert.Null(RouteTrafficWindow.Percentile(new long[RouteTraffic.BucketBoundsMs.Length + 1], 0.99));
    }

    [Theory]
    [InlineData("Gatehouse; hit; ttl=376", true)]
    [InlineData("Gatehouse; fwd=uri-miss; fwd-status=200; stored", false)]
    [InlineData("OriginCache; hit, Gatehouse; fwd=stale; fwd-status=200", false)]
    [InlineData("", null)]
    [InlineData("OriginCache; hit", null)]
    public void CacheHit_ReadsGatehousesOwnMember(string cacheStatus, bool? expected) =>
        Assert.Equal(expected, RouteTrafficMiddleware.CacheHit(cacheStatus));

    private static long[] Buckets(params (int Index, long Count)[] counts)
    {
        var buckets = new long[RouteTraffic.BucketBoundsMs.Length + 1];
        foreach (var (index, count) in counts)
        {
            buckets[index] = count;
        }

        return buckets;
    }
}
