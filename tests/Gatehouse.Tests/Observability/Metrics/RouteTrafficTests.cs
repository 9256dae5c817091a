using Gatehouse.Observability.Metrics;

namespace Gatehouse.Tests.Observability.Metrics;

public class RouteTrafficTests
{
    private static RouteTraffic With(params long[] buckets) =>
        new("r", buckets.Sum(), new Dictionary<string, long>(), 0, [0.1, 0.5, 1], buckets);

    [Fact]
    public void Quantile_InterpolatesWithinTheBucket_AsHistogramQuantileDoes()
    {
        var traffic = With(0, 10, 0, 0);
        Assert.Equal(0.3, traffic.Quantile(0.5)!.Value, 6);
        Assert.Equal(0.5, traffic.Quantile(1)!.Value, 6);
    }

    [Fact]
    public void Quantile_AboveTheLastBound_IsThatBound_AndNoRequestsIsNull()
    {
        Assert.Equal(1, With(1, 0, 0, 99).Quantile(0.99));
        Assert.Null(With(0, 0, 0, 0).Quantile(0.5));
    }
}
