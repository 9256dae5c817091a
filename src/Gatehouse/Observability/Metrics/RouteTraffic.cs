namespace Gatehouse.Observability.Metrics;

/// <summary>
/// One route's requests since start, as the edge counted them: the read API for an in-process dashboard
/// (docs/operations.md). Take two snapshots to get rates; <see cref="Quantile"/> estimates a percentile from the buckets
/// as Prometheus's <c>histogram_quantile</c> does.
/// </summary>
public sealed record RouteTraffic(string Route, long Requests, IReadOnlyDictionary<string, long> ByStatusClass, double DurationSecondsSum, double[] Bounds, long[] Buckets)
{
    /// <summary>Requests answered 5xx.</summary>
    public long ServerErrors => ByStatusClass.GetValueOrDefault("5xx");

    /// <summary>The <paramref name="quantile"/> (0 to 1) of the duration in seconds, linear within a bucket; null without requests.</summary>
    public double? Quantile(double quantile)
    {
        if (Requests == 0)
        {
            return null;
        }

        var rank = quantile * Requests;
        long seen = 0;
        for (var i = 0; i < Buckets.Length; i++)
        {
            if (seen + Buckets[i] >= rank && Buckets[i] > 0)
            {
                if (i == Bounds.Length)
                {
                    // Above the last bound: the best an estimate can say is that bound.
                    return Bounds[^1];
                }

                var lower = i == 0 ? 0 : Bounds[i - 1];
                return lower + ((Bounds[i] - lower) * (rank - seen) / Buckets[i]);
            }

            seen += Buckets[i];
        }

        return Bounds[^1];
    }

    internal static IReadOnlyList<RouteTraffic> From(InstrumentAggregate aggregate) =>
        [.. aggregate.Series
            .GroupBy(s => Label(s.Key, "route"), StringComparer.Ordinal)
            .Select(route =>
            {
                var buckets = new long[aggregate.Bounds.Length + 1];
                var byStatus = new Dictionary<string, long>(StringComparer.Ordinal);
                double sum = 0;
                long count = 0;
                foreach (var (key, series) in route)
                {
                    var n = series.Count;
                    count += n;
                    sum += series.Value;
                    var status = Label(key, "status_class");
                    byStatus[status] = byStatus.GetValueOrDefault(status) + n;
                    var each = series.Buckets;
                    for (var i = 0; i < buckets.Length; i++)
                    {
                        buckets[i] += each[i];
                    }
                }

                return new RouteTraffic(route.Key, count, byStatus, sum, aggregate.Bounds, buckets);
            })
            .OrderBy(r => r.Route, StringComparer.Ordinal)];

    private static string Label(SeriesKey key, string name) =>
        key.Tags.FirstOrDefault(t => t.Key == name).Value?.ToString() ?? "";
}
