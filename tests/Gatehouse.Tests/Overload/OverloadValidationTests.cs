using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Tests.Configuration;

namespace Gatehouse.Tests.Overload;

/// <summary>The dns, maxConcurrentRequests, queue, slowStart and outlierDetection settings: each bad value reported with its path.</summary>
public sealed class OverloadValidationTests
{
    [Fact]
    public void Defaults_AndAFullSetting_AreValid()
    {
        var cluster = SampleConfig.Cluster with
        {
            Dns = new ClusterDnsDefinition { Resolve = true, Resolvers = ["127.0.0.1:5353", "::1"], Srv = true, Host = "api.example.test" },
            MaxConcurrentRequests = 2,
            Queue = new DestinationQueueDefinition { Size = 0, Timeout = Duration.Parse("250ms") },
            SlowStart = Duration.Parse("30s"),
            HealthCheck = new HealthCheckDefinition
            {
                Passive = new PassiveHealthCheckDefinition { OutlierDetection = new OutlierDetectionDefinition { Enabled = true, LatencyFactor = 3, MaxEjectionPercent = 100 } },
            },
        };

        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: cluster)));
    }

    [Fact]
    public void BadSettings_AreEachReportedWithTheirPath()
    {
        var cluster = SampleConfig.Cluster with
        {
            Dns = new ClusterDnsDefinition { Resolve = true, MinTtl = Duration.Parse("1m"), MaxTtl = Duration.Parse("10s"), Resolvers = ["ok.example", "127.0.0.1:0"], Host = "bad host" },
            MaxConcurrentRequests = 0,
            Queue = new DestinationQueueDefinition { Size = -1, Timeout = Duration.Parse("0s") },
            SlowStart = Duration.Parse("soon"),
            HealthCheck = new HealthCheckDefinition
            {
                Passive = new PassiveHealthCheckDefinition
                {
                    OutlierDetection = new OutlierDetectionDefinition
                    {
                        Enabled = true, Interval = Duration.Parse("0s"), MinRequests = 0, MaxErrorPercent = 101, LatencyFactor = 1,
                        MinLatency = Duration.Parse("x"), EjectionTime = Duration.Parse("0ms"), MaxEjectionPercent = -1,
                    },
                },
            },
        };

        var paths = ConfigValidator.Validate(SampleConfig.Valid(cluster: cluster)).Select(e => e.Path).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "clusters.api.dns.maxTtl", "clusters.api.dns.resolvers[0]", "clusters.api.dns.resolvers[1]", "clusters.api.dns.host",
            "clusters.api.maxConcurrentRequests", "clusters.api.queue.size", "clusters.api.queue.timeout", "clusters.api.slowStart",
            "clusters.api.healthCheck.passive.outlierDetection.interval", "clusters.api.healthCheck.passive.outlierDetection.minRequests",
            "clusters.api.healthCheck.passive.outlierDetection.maxErrorPercent", "clusters.api.healthCheck.passive.outlierDetection.latencyFactor",
            "clusters.api.healthCheck.passive.outlierDetection.minLatency", "clusters.api.healthCheck.passive.outlierDetection.ejectionTime",
            "clusters.api.healthCheck.passive.outlierDetection.maxEjectionPercent",
        }, paths);
    }
}
