using Gatehouse.Configuration;
using Gatehouse.Discovery;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    /// <summary>A cluster's dns, maxConcurrentRequests, queue, slowStart and outlierDetection settings.</summary>
    private static void ValidateClusterOverload(List<ConfigError> errors, string path, ClusterDefinition cluster)
    {
        var dns = cluster.Dns;
        Unknown(errors, $"{path}.dns", dns);
        PositiveDuration(errors, $"{path}.dns.minTtl", dns.MinTtl);
        PositiveDuration(errors, $"{path}.dns.maxTtl", dns.MaxTtl);
        if (dns.MinTtl.Value is { } min && dns.MaxTtl.Value is { } max && min > max)
        {
            errors.Add(new($"{path}.dns.maxTtl", $"'{dns.MaxTtl.Raw}' is shorter than minTtl '{dns.MinTtl.Raw}'"));
        }

        for (var i = 0; i < dns.Resolvers.Count; i++)
        {
            if (!DnsDestinationSettings.TryParseResolver(dns.Resolvers[i], out _))
            {
                errors.Add(new($"{path}.dns.resolvers[{i}]", $"'{dns.Resolvers[i]}' is not an IP address with an optional port (127.0.0.1:5353, [::1]:53)"));
            }
        }

        if (dns.Host is { Length: > 0 } host && Uri.CheckHostName(host.Split(':')[0]) == UriHostNameType.Unknown)
        {
            errors.Add(new($"{path}.dns.host", $"'{host}' is not a host name"));
        }

        if (cluster.MaxConcurrentRequests is { } maxConcurrent)
        {
            AtLeastOne(errors, $"{path}.maxConcurrentRequests", maxConcurrent);
        }

        Unknown(errors, $"{path}.queue", cluster.Queue);
        if (cluster.Queue.Size < 0)
        {
            errors.Add(new($"{path}.queue.size", "must not be negative"));
        }

        PositiveDuration(errors, $"{path}.queue.timeout", cluster.Queue.Timeout);
        if (cluster.SlowStart is { } slowStart)
        {
            PositiveDuration(errors, $"{path}.slowStart", slowStart);
        }

        var outliers = cluster.HealthCheck.Passive.OutlierDetection;
        var outlierPath = $"{path}.healthCheck.passive.outlierDetection";
        Unknown(errors, outlierPath, outliers);
        PositiveDuration(errors, $"{outlierPath}.interval", outliers.Interval);
        PositiveDuration(errors, $"{outlierPath}.ejectionTime", outliers.EjectionTime);
        PositiveDuration(errors, $"{outlierPath}.minLatency", outliers.MinLatency, allowZero: true);
        AtLeastOne(errors, $"{outlierPath}.minRequests", outliers.MinRequests);
        if (outliers.MaxErrorPercent is < 0 or > 100 or double.NaN)
        {
            errors.Add(new($"{outlierPath}.maxErrorPercent", $"{outliers.MaxErrorPercent} is out of range (0 to 100)"));
        }

        if (outliers.LatencyFactor is { } factor && !(factor > 1))
        {
            errors.Add(new($"{outlierPath}.latencyFactor", $"{factor} must be greater than 1"));
        }

        if (outliers.MaxEjectionPercent is < 0 or > 100 or double.NaN)
        {
            errors.Add(new($"{outlierPath}.maxEjectionPercent", $"{outliers.MaxEjectionPercent} is out of range (0 to 100)"));
        }
    }
}
