namespace Gatehouse.Health;

/// <summary>One destination's requests over an outlier-detection interval.</summary>
public readonly record struct OutlierSample(string DestinationId, long Requests, long Failures, TimeSpan TotalLatency)
{
    public double ErrorPercent => Requests == 0 ? 0 : Failures * 100.0 / Requests;

    public TimeSpan MeanLatency => Requests == 0 ? TimeSpan.Zero : TotalLatency / Requests;
}

/// <summary>
/// Which destinations are outliers at the end of an interval, by error rate (Envoy's failure_percentage) and by latency
/// (a mean far above the cluster's median), and how many may be ejected at all (Envoy's max_ejection_percent). Pure.
/// </summary>
public static class OutlierDecisions
{
    /// <summary>
    /// How many more destinations may be ejected: the cap is <paramref name="maxEjectionPercent"/> of the cluster, rounded
    /// down, counting those already out; never negative. A cluster of one is never emptied by ejection below 100 %.
    /// </summary>
    public static int EjectionAllowance(int destinations, int ejectedNow, double maxEjectionPercent) =>
        Math.Max(0, (int)Math.Floor(destinations * maxEjectionPercent / 100.0 + 1e-9) - ejectedNow);

    /// <summary>
    /// The outliers among <paramref name="samples"/>, worst first, at most <paramref name="allowance"/> of them. A destination
    /// with fewer than the minimum requests is not judged; latency is judged against the median of the judged destinations'
    /// means, only when at least two are judged, and never below <see cref="OutlierSettings.MinLatency"/>.
    /// </summary>
    public static IReadOnlyList<string> Outliers(IReadOnlyList<OutlierSample> samples, OutlierSettings settings, int allowance)
    {
        if (allowance <= 0)
        {
            return [];
        }

        var judged = samples.Where(s => s.Requests > 0 && s.Requests >= settings.MinRequests).ToList();
        var median = judged.Count >= 2 ? Median(judged.Select(s => s.MeanLatency.Ticks).ToList()) : (long?)null;
        return judged
            .Select(s => (s.DestinationId, Score: Score(s, settings, median)))
            .Where(s => s.Score > 0)
            .OrderByDescending(s => s.Score)
            .Take(allowance)
            .Select(s => s.DestinationId)
            .ToList();
    }

    /// <summary>How far past its threshold a destination is (0 when within): error rate first, then latency.</summary>
    private static double Score(OutlierSample sample, OutlierSettings settings, long? medianTicks)
    {
        if (settings.MaxErrorPercent is { } maxError && sample.ErrorPercent >= maxError)
        {
            return 1_000 + sample.ErrorPercent; // error outliers rank above latency ones
        }

        if (settings.LatencyFactor is { } factor && medianTicks is { } median && median > 0
            && sample.MeanLatency >= settings.MinLatency && sample.MeanLatency.Ticks > factor * median)
        {
            return (double)sample.MeanLatency.Ticks / median;
        }

        return 0;
    }

    private static long Median(List<long> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
