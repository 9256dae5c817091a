using Gatehouse.Configuration;
using Gatehouse.Health;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Tests.Health;

public class HealthDecisionsTests
{
    private static readonly ActiveHealthThresholds RiseTwoFallThree = new(Healthy: 2, Unhealthy: 3);

    [Theory]
    // A new destination takes traffic after its first good probe…
    [InlineData(DestinationHealth.Unknown, 1, 0, DestinationHealth.Healthy)]
    // …but is only marked unhealthy after as many failures as a healthy one.
    [InlineData(DestinationHealth.Unknown, 0, 1, DestinationHealth.Unknown)]
    [InlineData(DestinationHealth.Unknown, 0, 2, DestinationHealth.Unknown)]
    [InlineData(DestinationHealth.Unknown, 0, 3, DestinationHealth.Unhealthy)]
    [InlineData(DestinationHealth.Unknown, 0, 0, DestinationHealth.Unknown)]
    [InlineData(DestinationHealth.Healthy, 5, 0, DestinationHealth.Healthy)]
    [InlineData(DestinationHealth.Healthy, 0, 1, DestinationHealth.Healthy)]
    [InlineData(DestinationHealth.Healthy, 0, 2, DestinationHealth.Healthy)]
    [InlineData(DestinationHealth.Healthy, 0, 3, DestinationHealth.Unhealthy)]
    [InlineData(DestinationHealth.Healthy, 0, 4, DestinationHealth.Unhealthy)]
    [InlineData(DestinationHealth.Unhealthy, 0, 5, DestinationHealth.Unhealthy)]
    [InlineData(DestinationHealth.Unhealthy, 1, 0, DestinationHealth.Unhealthy)]
    [InlineData(DestinationHealth.Unhealthy, 2, 0, DestinationHealth.Healthy)]
    [InlineData(DestinationHealth.Unhealthy, 3, 0, DestinationHealth.Healthy)]
    public void NextActive_Streak_CrossesThresholds(DestinationHealth current, int successes, int failures, DestinationHealth expected)
    {
        Assert.Equal(expected, HealthDecisions.NextActive(current, new ProbeStreak(successes, failures), RiseTwoFallThree));
    }

    [Fact]
    public void NextActive_ThresholdsOfOne_FlipOnEveryProbe()
    {
        var thresholds = new ActiveHealthThresholds(1, 1);

        Assert.Equal(DestinationHealth.Unhealthy, HealthDecisions.NextActive(DestinationHealth.Healthy, new ProbeStreak(0, 1), thresholds));
        Assert.Equal(DestinationHealth.Healthy, HealthDecisions.NextActive(DestinationHealth.Unhealthy, new ProbeStreak(1, 0), thresholds));
        Assert.Equal(DestinationHealth.Unhealthy, HealthDecisions.NextActive(DestinationHealth.Unknown, new ProbeStreak(0, 1), thresholds));
    }

    [Fact]
    public void NextActive_ProbeSeries_FollowsFallAndRiseCounters()
    {
        // Probes as the active policy sees them: the streak is kept across verdicts.
        var probes = new[] { true, false, false, true, false, false, false, true, false, true, true, false };
        var expected = new[]
        {
            DestinationHealth.Healthy, DestinationHealth.Healthy, DestinationHealth.Healthy, DestinationHealth.Healthy,
            DestinationHealth.Healthy, DestinationHealth.Healthy, DestinationHealth.Unhealthy, DestinationHealth.Unhealthy,
            DestinationHealth.Unhealthy, DestinationHealth.Unhealthy, DestinationHealth.Healthy, DestinationHealth.Healthy,
        };

        var health = DestinationHealth.Unknown;
        var streak = default(ProbeStreak);
        var seen = new List<DestinationHealth>();
        foreach (var success in probes)
        {
            streak = streak.Record(success);
            health = HealthDecisions.NextActive(health, streak, RiseTwoFallThree);
            seen.Add(health);
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public void ProbeStreak_Record_CountsOneSideAndResetsTheOther()
    {
        var streak = default(ProbeStreak).Record(true).Record(true);
        Assert.Equal(new ProbeStreak(2, 0), streak);

        streak = streak.Record(false);
        Assert.Equal(new ProbeStreak(0, 1), streak);

        Assert.Equal(new ProbeStreak(0, 2), streak.Record(false));
        Assert.Equal(new ProbeStreak(1, 0), streak.Record(true));
    }

    [Theory]
    [InlineData(true, false, 502, true, true)]
    [InlineData(true, false, 200, false, true)]
    [InlineData(false, false, 500, true, true)]
    [InlineData(false, false, 503, true, true)]
    [InlineData(false, false, 599, true, true)]
    [InlineData(false, false, 500, false, false)]
    [InlineData(false, false, 499, true, false)]
    [InlineData(false, false, 404, true, false)]
    [InlineData(false, false, 200, true, false)]
    // The client going away says nothing about the destination.
    [InlineData(true, true, 502, true, false)]
    [InlineData(false, true, 503, true, false)]
    public void IsPassiveFailure_TransportErrorsAndOptionallyServerErrors(bool transportError, bool clientCanceled, int status, bool countServerErrors, bool expected)
    {
        Assert.Equal(expected, HealthDecisions.IsPassiveFailure(transportError, clientCanceled, status, countServerErrors));
    }
}
