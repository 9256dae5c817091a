using Gatehouse.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Health;

/// <summary>Pure health-state transitions, shared by the active and passive policies and tested without sockets.</summary>
public static class HealthDecisions
{
    /// <summary>
    /// The active health after a probe. A new destination (Unknown) takes the first probe's verdict for success so traffic can
    /// start at once; leaving Healthy needs <c>Unhealthy</c> consecutive failures and leaving Unhealthy needs <c>Healthy</c>
    /// consecutive successes, as nginx's and HAProxy's fall/rise counters do.
    /// </summary>
    public static DestinationHealth NextActive(DestinationHealth current, ProbeStreak streak, ActiveHealthThresholds thresholds) => current switch
    {
        DestinationHealth.Unhealthy => streak.Successes >= thresholds.Healthy ? DestinationHealth.Healthy : DestinationHealth.Unhealthy,
        DestinationHealth.Healthy => streak.Failures >= thresholds.Unhealthy ? DestinationHealth.Unhealthy : DestinationHealth.Healthy,
        _ => streak.Successes > 0 ? DestinationHealth.Healthy
            : streak.Failures >= thresholds.Unhealthy ? DestinationHealth.Unhealthy
            : DestinationHealth.Unknown,
    };

    /// <summary>Whether a proxied request counts against its destination: transport errors always, 5xx answers when configured.</summary>
    public static bool IsPassiveFailure(bool transportError, bool clientCanceled, int statusCode, bool countServerErrors) =>
        !clientCanceled && (transportError || (countServerErrors && statusCode >= 500));
}

/// <summary>Consecutive probe outcomes; one of the two is always zero.</summary>
public readonly record struct ProbeStreak(int Successes, int Failures)
{
    public ProbeStreak Record(bool success) => success ? new(Successes + 1, 0) : new(0, Failures + 1);
}
