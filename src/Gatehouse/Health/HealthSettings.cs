using Gatehouse.Configuration;

namespace Gatehouse.Health;

/// <summary>A cluster's passive health settings, compiled once per config generation.</summary>
public sealed record PassiveHealthSettings(int ConsecutiveFailures, bool CountServerErrors, TimeSpan ReactivationPeriod)
{
    public static PassiveHealthSettings Default { get; } = From(new ClusterDefinition());

    public static PassiveHealthSettings From(ClusterDefinition cluster)
    {
        var passive = cluster.HealthCheck.Passive;
        return new(passive.ConsecutiveFailures, passive.CountServerErrors, passive.ReactivationPeriod.Value ?? TimeSpan.FromSeconds(10));
    }
}

/// <summary>How many probes in a row make a destination healthy or unhealthy.</summary>
public sealed record ActiveHealthThresholds(int Healthy, int Unhealthy)
{
    public static ActiveHealthThresholds Default { get; } = From(new ClusterDefinition());

    public static ActiveHealthThresholds From(ClusterDefinition cluster) =>
        new(cluster.HealthCheck.Active.HealthyThreshold, cluster.HealthCheck.Active.UnhealthyThreshold);
}
