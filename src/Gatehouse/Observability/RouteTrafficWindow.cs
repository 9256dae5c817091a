namespace Gatehouse.Observability;

/// <summary>What happened on a route between two snapshots: rates and duration percentiles. Pure, so it is unit-tested.</summary>
public sealed record RouteTrafficWindow(double RequestsPerSecond, double ErrorRate, double? P50Ms, double? P99Ms)
{
    public static RouteTrafficWindow Between(RouteTrafficSnapshot earlier, RouteTrafficSnapshot later, TimeSpan elapsed)
    {
        var requests = later.Requests - earlier.Requests;
        var errors = later.ServerErrors - earlier.ServerErrors;
        var buckets = later.Buckets.Select((count, i) => count - earlier.Buckets[i]).ToArray();
        return new RouteTrafficWindow(
            elapsed > TimeSpan.Zero ? requests / elapsed.TotalSeconds : 0,
            requests > 0 ? (double)errors / requests : 0,
            Percentile(buckets, 0.50),
            Percentile(buckets, 0.99));
    }

    /// <summary>
    /// The <paramref name="quantile"/> of a histogram over <see cref="RouteTraffic.BucketBoundsMs"/>, interpolated
    /// linearly inside its bucket (as Prometheus's histogram_quantile does); the open last bucket answers its lower
    /// bound. Null without any observation.
    /// </summary>
    public static double? Percentile(IReadOnlyList<long> buckets, double quantile)
    {
        var total = buckets.Sum();
        if (total <= 0)
        {
            return null;
        }

        var rank = quantile * total;
        var seen = 0L;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i] > 0 && seen + buckets[i] >= rank)
            {
                var bounds = RouteTraffic.BucketBoundsMs;
                if (i >= bounds.Length)
                {
                    return bounds[^1];
                }

                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + ((bounds[i] - lower) * (rank - seen) / buckets[i]);
            }

            seen += buckets[i];
        }

        return RouteTraffic.BucketBoundsMs[^1];
    }
}
