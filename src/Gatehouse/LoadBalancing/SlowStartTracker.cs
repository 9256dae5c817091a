using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.LoadBalancing;

/// <summary>
/// When each destination last became available: first seen (added by config or DNS), or seen healthy after being seen
/// unhealthy (active or passive). Observed on the requests of clusters with slow start, so it costs nothing elsewhere;
/// the state lives as long as YARP's destination does. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class SlowStartTracker(TimeProvider time)
{
    private readonly ConditionalWeakTable<DestinationState, Availability> _states = new();

    /// <summary>Records what <paramref name="destination"/>'s health says now.</summary>
    public void Observe(DestinationState destination)
    {
        var available = destination.Health.Active != DestinationHealth.Unhealthy && destination.Health.Passive != DestinationHealth.Unhealthy;
        var state = _states.GetValue(destination, _ => new Availability(time.GetTimestamp()));
        lock (state)
        {
            if (!available)
            {
                state.Since = null;
            }
            else
            {
                state.Since ??= time.GetTimestamp();
            }
        }
    }

    /// <summary>The ramp factor of <paramref name="destination"/> now (1 when it has been available for the whole period).</summary>
    public double Factor(DestinationState destination, TimeSpan period)
    {
        if (!_states.TryGetValue(destination, out var state))
        {
            return 1;
        }

        long? since;
        lock (state)
        {
            since = state.Since;
        }

        return since is { } start ? SlowStartRamp.Factor(time.GetElapsedTime(start), period) : SlowStartRamp.MinimumFactor;
    }

    private sealed class Availability(long since)
    {
        public long? Since { get; set; } = since;
    }
}
