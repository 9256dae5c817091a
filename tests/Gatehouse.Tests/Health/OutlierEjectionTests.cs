using Gatehouse.Configuration;
using Gatehouse.Health;
using Gatehouse.Http;
using Gatehouse.Lifecycle;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Tests.Health;

/// <summary>The passive policy with outlier detection on: judged per interval on a fake clock, ejections capped by maxEjectionPercent.</summary>
public sealed class OutlierEjectionTests
{
    private sealed class RecordingUpdater : IDestinationHealthUpdater
    {
        public List<(string Destination, TimeSpan Period)> Ejected { get; } = [];

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod)
        {
            destination.Health.Passive = newHealth;
            Ejected.Add((destination.DestinationId, reactivationPeriod));
        }
    }

    private static (ConsecutiveFailuresPassivePolicy Policy, RecordingUpdater Updater, FakeTimeProvider Time, ClusterState Cluster, List<DestinationState> Destinations) Create(int destinations, double maxEjectionPercent)
    {
        var holder = new GenerationHolder();
        var ids = Enumerable.Range(1, destinations).Select(i => "d" + i).ToList();
        holder.Swap(GenerationCompiler.Compile(new GatehouseConfig
        {
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["c"] = new()
                {
                    Destinations = ids.ToDictionary(id => id, id => new DestinationDefinition { Address = "http://127.0.0.1/" }),
                    HealthCheck = new HealthCheckDefinition
                    {
                        Passive = new PassiveHealthCheckDefinition
                        {
                            ConsecutiveFailures = 1000,
                            OutlierDetection = new OutlierDetectionDefinition
                            {
                                Enabled = true, MinRequests = 10, MaxErrorPercent = 50, LatencyFactor = 3, EjectionTime = Duration.Parse("30s"), MaxEjectionPercent = maxEjectionPercent,
                            },
                        },
                    },
                },
            },
        }));
        var time = new FakeTimeProvider();
        var updater = new RecordingUpdater();
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var policy = new ConsecutiveFailuresPassivePolicy(updater, holder, new HealthTelemetry(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), time);
        var cluster = new ClusterState("c");
        var states = ids.Select(id => new DestinationState(id)).ToList();
        foreach (var state in states)
        {
            cluster.Destinations.TryAdd(state.DestinationId, state);
        }

        return (policy, updater, time, cluster, states);
    }

    private static void Proxied(ConsecutiveFailuresPassivePolicy policy, ClusterState cluster, DestinationState destination, int status, int latencyMs)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        context.Features.Set(new ForwardingState { LastAttemptTime = TimeSpan.FromMilliseconds(latencyMs) });
        policy.RequestProxied(context, cluster, destination);
    }

    [Fact]
    public void FailingAndSlowDestinations_AreEjectedAtTheEndOfTheInterval_UpToTheCap()
    {
        var (policy, updater, time, cluster, destinations) = Create(destinations: 4, maxEjectionPercent: 25);
        for (var i = 0; i < 20; i++)
        {
            Proxied(policy, cluster, destinations[0], i % 2 == 0 ? 503 : 200, 20); // 50 % errors
            Proxied(policy, cluster, destinations[1], 200, 900);                     // slow: median is ~20 ms
            Proxied(policy, cluster, destinations[2], 200, 20);
            Proxied(policy, cluster, destinations[3], 200, 25);
        }

        Assert.Empty(updater.Ejected); // the interval is not over
        time.Advance(TimeSpan.FromSeconds(10));
        Proxied(policy, cluster, destinations[2], 200, 20);

        // 25 % of 4: one ejection, the worst (the error outlier ranks above the latency one).
        Assert.Equal([("d1", TimeSpan.FromSeconds(30))], updater.Ejected);
    }

    [Fact]
    public void WithRoomUnderTheCap_TheLatencyOutlierGoesToo()
    {
        var (policy, updater, time, cluster, destinations) = Create(destinations: 4, maxEjectionPercent: 50);
        for (var i = 0; i < 20; i++)
        {
            Proxied(policy, cluster, destinations[0], i % 2 == 0 ? 503 : 200, 20);
            Proxied(policy, cluster, destinations[1], 200, 900);
            Proxied(policy, cluster, destinations[2], 200, 20);
            Proxied(policy, cluster, destinations[3], 200, 25);
        }

        time.Advance(TimeSpan.FromSeconds(10));
        Proxied(policy, cluster, destinations[2], 200, 20);

        Assert.Equal(["d1", "d2"], updater.Ejected.Select(e => e.Destination).Order());
    }

    [Fact]
    public void ConsecutiveFailureEjections_CountAgainstTheCap()
    {
        var (policy, updater, time, cluster, destinations) = Create(destinations: 2, maxEjectionPercent: 50);
        destinations[1].Health.Passive = DestinationHealth.Unhealthy; // already out (consecutive failures)
        for (var i = 0; i < 20; i++)
        {
            Proxied(policy, cluster, destinations[0], 503, 20);
        }

        time.Advance(TimeSpan.FromSeconds(10));
        Proxied(policy, cluster, destinations[0], 503, 20);

        Assert.Empty(updater.Ejected); // 50 % of 2 is one, and one is out already
    }
}
