using Gatehouse.Health;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Tests.Health;

public sealed class OutlierDecisionsTests
{
    private static readonly OutlierSettings Settings = new(
        Interval: TimeSpan.FromSeconds(10), MinRequests: 10, MaxErrorPercent: 50, LatencyFactor: 3,
        MinLatency: TimeSpan.FromMilliseconds(100), EjectionTime: TimeSpan.FromSeconds(30), MaxEjectionPercent: 50);

    private static OutlierSample Sample(string id, long requests, long failures = 0, int meanMs = 10) =>
        new(id, requests, failures, TimeSpan.FromMilliseconds(meanMs) * requests);

    [Theory]
    [InlineData(10, 0, 50, 5)]
    [InlineData(10, 3, 50, 2)]
    [InlineData(3, 0, 50, 1)] // 1.5 rounds down
    [InlineData(1, 0, 50, 0)] // a cluster of one is never emptied below 100 %
    [InlineData(4, 2, 50, 0)]
    [InlineData(4, 3, 50, 0)] // already past the cap (consecutive failures): none more
    [InlineData(4, 0, 100, 4)]
    [InlineData(10, 0, 0, 0)]
    public void EjectionAllowance_CapsTheShareOut(int destinations, int ejectedNow, double percent, int expected)
    {
        Assert.Equal(expected, OutlierDecisions.EjectionAllowance(destinations, ejectedNow, percent));
    }

    [Fact]
    public void ErrorRate_AtOrAboveTheThreshold_IsAnOutlier()
    {
        var outliers = OutlierDecisions.Outliers([Sample("a", 100, 50), Sample("b", 100, 49), Sample("c", 100)], Settings, allowance: 3);

        Assert.Equal(["a"], outliers);
    }

    [Fact]
    public void TooFewRequests_AreNotJudged()
    {
        Assert.Empty(OutlierDecisions.Outliers([Sample("a", 9, 9), Sample("b", 100)], Settings, allowance: 3));
    }

    [Fact]
    public void Latency_FarAboveTheMedian_IsAnOutlier()
    {
        var outliers = OutlierDecisions.Outliers(
            [Sample("a", 50, meanMs: 120), Sample("b", 50, meanMs: 110), Sample("c", 50, meanMs: 400), Sample("d", 50, meanMs: 100)],
            Settings, allowance: 3);

        Assert.Equal(["c"], outliers); // median 115 ms; 400 > 3 × 115
    }

    [Fact]
    public void Latency_BelowTheFloor_IsNeverAnOutlier()
    {
        Assert.Empty(OutlierDecisions.Outliers([Sample("a", 50, meanMs: 1), Sample("b", 50, meanMs: 1), Sample("c", 50, meanMs: 90)], Settings, allowance: 3));
    }

    [Fact]
    public void Latency_WithOnlyOneJudgedDestination_HasNoMedianToCompareWith()
    {
        Assert.Empty(OutlierDecisions.Outliers([Sample("a", 50, meanMs: 5000), Sample("b", 2, meanMs: 1)], Settings, allowance: 3));
    }

    [Fact]
    public void Outliers_AreCappedByTheAllowance_WorstFirst()
    {
        var samples = new[] { Sample("a", 100, 60), Sample("b", 100, 90), Sample("c", 100, 70), Sample("d", 100) };

        Assert.Equal(["b", "c"], OutlierDecisions.Outliers(samples, Settings, allowance: 2));
        Assert.Empty(OutlierDecisions.Outliers(samples, Settings, allowance: 0));
    }

    [Fact]
    public void ErrorOutliers_RankAboveLatencyOutliers()
    {
        var samples = new[] { Sample("slow", 100, meanMs: 2000), Sample("failing", 100, 50), Sample("x", 100, meanMs: 100), Sample("y", 100, meanMs: 100) };

        Assert.Equal(["failing"], OutlierDecisions.Outliers(samples, Settings, allowance: 1));
    }

    [Fact]
    public void Window_ClosesOnTheFirstAttemptPastTheInterval_AndStartsAfresh()
    {
        var time = new FakeTimeProvider();
        var window = new OutlierWindow(time);
        var a = new DestinationState("a");
        var b = new DestinationState("b");
        Assert.Null(window.Record(a, failed: true, TimeSpan.FromMilliseconds(10), Settings.Interval));
        Assert.Null(window.Record(b, failed: false, TimeSpan.FromMilliseconds(30), Settings.Interval));
        time.Advance(TimeSpan.FromSeconds(10));

        var closed = window.Record(a, failed: false, TimeSpan.FromMilliseconds(20), Settings.Interval);

        Assert.NotNull(closed);
        var byId = closed.ToDictionary(c => c.Sample.DestinationId, c => c.Sample);
        Assert.Equal(new OutlierSample("a", 2, 1, TimeSpan.FromMilliseconds(30)), byId["a"]);
        Assert.Equal(new OutlierSample("b", 1, 0, TimeSpan.FromMilliseconds(30)), byId["b"]);
        Assert.Null(window.Record(a, failed: false, TimeSpan.Zero, Settings.Interval));
    }
}
