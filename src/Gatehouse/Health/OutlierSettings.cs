using Gatehouse.Configuration;

namespace Gatehouse.Health;

/// <summary>A cluster's outlier detection by error rate and latency, compiled once per generation; null settings when off.</summary>
public sealed record OutlierSettings(
    TimeSpan Interval,
    int MinRequests,
    double? MaxErrorPercent,
    double? LatencyFactor,
    TimeSpan MinLatency,
    TimeSpan EjectionTime,
    double MaxEjectionPercent)
{
    public static OutlierSettings? From(ClusterDefinition cluster)
    {
        var outliers = cluster.HealthCheck.Passive.OutlierDetection;
        return outliers.Enabled
            ? new(outliers.Interval.Value ?? TimeSpan.FromSeconds(10), outliers.MinRequests, outliers.MaxErrorPercent, outliers.LatencyFactor,
                outliers.MinLatency.Value ?? TimeSpan.Zero, outliers.EjectionTime.Value ?? TimeSpan.FromSeconds(30), outliers.MaxEjectionPercent)
            : null;
    }
}
