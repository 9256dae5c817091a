using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.LoadBalancing;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Tests.LoadBalancing;

public sealed class SlowStartTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(1, 0.1)] // 1/30 is below the floor
    [InlineData(6, 0.2)]
    [InlineData(15, 0.5)]
    [InlineData(27, 0.9)]
    [InlineData(30, 1.0)]
    [InlineData(90, 1.0)]
    public void Factor_RampsLinearlyOverThePeriod_FromAFloor(int seconds, double expected)
    {
        Assert.Equal(expected, SlowStartRamp.Factor(TimeSpan.FromSeconds(seconds), Period), 6);
    }

    [Fact]
    public void AdmissionChance_IsRelativeToTheLargestFactor_SoDestinationsRampingTogetherAreAllKept()
    {
        Assert.Equal(1, SlowStartRamp.AdmissionChance(0.3, 0.3));
        Assert.Equal(0.5, SlowStartRamp.AdmissionChance(0.5, 1));
    }

    [Fact]
    public void Tracker_RampsADestinationThatComesBackHealthy()
    {
        var time = new FakeTimeProvider();
        var tracker = new SlowStartTracker(time);
        var destination = new DestinationState("d1");
        tracker.Observe(destination);
        time.Advance(Period);
        Assert.Equal(1, tracker.Factor(destination, Period));

        destination.Health.Passive = DestinationHealth.Unhealthy;
        tracker.Observe(destination);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(SlowStartRamp.MinimumFactor, tracker.Factor(destination, Period));

        destination.Health.Passive = DestinationHealth.Unknown; // the reactivation period is over
        tracker.Observe(destination);
        time.Advance(TimeSpan.FromSeconds(15));
        tracker.Observe(destination);
        Assert.Equal(0.5, tracker.Factor(destination, Period), 6);
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(1, tracker.Factor(destination, Period));
    }

    [Fact]
    public void Tracker_RampsANewDestination()
    {
        var time = new FakeTimeProvider();
        var tracker = new SlowStartTracker(time);
        var added = new DestinationState("d9");
        tracker.Observe(added);
        time.Advance(TimeSpan.FromSeconds(9));

        Assert.Equal(0.3, tracker.Factor(added, Period), 6);
    }

    /// <summary>
    /// The share of a returning destination under a policy without weights (uniform choice among the candidates), at
    /// points of the ramp: it grows with the factor and is full at the end. With 5 destinations one of which admitted with
    /// chance a, its share is a/5 exactly (it is picked as often as any other when admitted).
    /// </summary>
    [Theory]
    [InlineData(3, 0.1)]
    [InlineData(15, 0.5)]
    [InlineData(24, 0.8)]
    [InlineData(30, 1.0)]
    public void Filter_GivesAReturningDestinationItsRampedShare(int secondsSinceBack, double factor)
    {
        var time = new FakeTimeProvider();
        var tracker = new SlowStartTracker(time);
        var destinations = Enumerable.Range(1, 5).Select(i => new DestinationState("d" + i)).ToList();
        var returning = destinations[4];
        returning.Health.Active = DestinationHealth.Unhealthy;
        destinations.ForEach(tracker.Observe);
        time.Advance(Period);
        returning.Health.Active = DestinationHealth.Healthy;
        destinations.ForEach(tracker.Observe);
        time.Advance(TimeSpan.FromSeconds(secondsSinceBack));

        var random = new Random(1234);
        var filter = new SlowStartFilter(tracker, random.NextDouble);
        const int Requests = 20_000;
        var picked = 0;
        for (var i = 0; i < Requests; i++)
        {
            var candidates = filter.Admit(destinations, Period);
            if (candidates[random.Next(candidates.Count)] == returning)
            {
                picked++;
            }
        }

        Assert.Equal(factor / 5, picked / (double)Requests, 2);
    }

    [Fact]
    public void Filter_WithNoDestinationRamping_KeepsTheSameList()
    {
        var time = new FakeTimeProvider();
        var tracker = new SlowStartTracker(time);
        IReadOnlyList<DestinationState> destinations = [new("a"), new("b")];
        foreach (var d in destinations)
        {
            tracker.Observe(d);
        }

        time.Advance(Period);
        Assert.Same(destinations, new SlowStartFilter(tracker, () => 0.99).Admit(destinations, Period));
    }

    /// <summary>WeightedRoundRobin scales the weight itself: the share is exact at every point of the ramp.</summary>
    [Theory]
    [InlineData(0, 10)]
    [InlineData(15, 50)]
    [InlineData(30, 100)]
    public void WeightedRoundRobin_ScalesAReturningDestinationsWeight(int secondsSinceBack, int expectedPerHundredOfAnother)
    {
        var time = new FakeTimeProvider();
        var tracker = new SlowStartTracker(time);
        var holder = new GenerationHolder();
        holder.Swap(GenerationCompiler.Compile(new GatehouseConfig
        {
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["c"] = new()
                {
                    LoadBalancingPolicy = LoadBalancingPolicyNames.WeightedRoundRobin,
                    SlowStart = Duration.From(Period),
                    Destinations = new Dictionary<string, DestinationDefinition> { ["a"] = new() { Address = "http://a/" }, ["b"] = new() { Address = "http://b/" } },
                },
            },
        }));
        var policy = new WeightedRoundRobinPolicy(holder, tracker);
        var steady = new DestinationState("a");
        var returning = new DestinationState("b");
        tracker.Observe(steady);
        returning.Health.Passive = DestinationHealth.Unhealthy;
        tracker.Observe(returning);
        time.Advance(Period);
        returning.Health.Passive = DestinationHealth.Unknown;
        tracker.Observe(returning);
        time.Advance(TimeSpan.FromSeconds(secondsSinceBack));

        var cluster = new ClusterState("c");
        var counts = new Dictionary<DestinationState, int> { [steady] = 0, [returning] = 0 };
        for (var i = 0; i < 1100; i++)
        {
            counts[policy.PickDestination(new DefaultHttpContext(), cluster, [steady, returning])!]++;
        }

        Assert.Equal(expectedPerHundredOfAnother / 100.0, counts[returning] / (double)counts[steady], 2);
    }
}
