namespace Gatehouse.LoadBalancing;

/// <summary>
/// Slow start's arithmetic (Envoy's slow_start_config, HAProxy's slowstart): a destination available for
/// <c>elapsed</c> of a ramp <c>period</c> gets that fraction of its weight, linearly, never less than
/// <see cref="MinimumFactor"/> so that it is tried at all. Pure.
/// </summary>
public static class SlowStartRamp
{
    /// <summary>Envoy's min_weight_percent default: a destination that has just come back still gets a tenth.</summary>
    public const double MinimumFactor = 0.1;

    /// <summary>The share of its full weight a destination gets <paramref name="elapsed"/> into the ramp: 1 once the ramp is over.</summary>
    public static double Factor(TimeSpan elapsed, TimeSpan period)
    {
        if (period <= TimeSpan.Zero || elapsed >= period)
        {
            return 1;
        }

        return Math.Max(MinimumFactor, elapsed <= TimeSpan.Zero ? 0 : elapsed / period);
    }

    /// <summary>A weight scaled by <paramref name="factor"/>, in the integer weights smooth weighted round robin takes, never below 1.</summary>
    public static int ScaledWeight(int weight, double factor) => factor >= 1 ? weight * Scale : Math.Max(1, (int)Math.Round(weight * Scale * factor));

    /// <summary>Weights are multiplied by this so that a factor such as 0.37 keeps its precision as an integer.</summary>
    public const int Scale = 100;

    /// <summary>
    /// For policies without weights: the chance that a ramping destination stays among a request's candidates, its factor
    /// over the largest factor among them (so that destinations all ramping together, as at start-up, are all kept).
    /// </summary>
    public static double AdmissionChance(double factor, double largestFactor) =>
        largestFactor <= 0 ? 1 : Math.Clamp(factor / largestFactor, 0, 1);
}
