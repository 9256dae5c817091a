using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Overload;

/// <summary>
/// One <see cref="ConcurrencyGate"/> per destination, kept as long as YARP keeps the destination (its state outlives
/// reloads and DNS refreshes that keep the address). A reload that changes the limit or the queue size gives the
/// destination a new gate; requests holding the old one release it there.
/// </summary>
public sealed class DestinationGates(TimeProvider time)
{
    private readonly ConditionalWeakTable<DestinationState, ConcurrencyGate> _gates = new();

    public ConcurrencyGate For(DestinationState destination, OverloadSettings settings)
    {
        var max = settings.MaxConcurrentRequests ?? int.MaxValue;
        if (_gates.TryGetValue(destination, out var gate) && gate.MaxConcurrent == max && gate.QueueSize == settings.QueueSize)
        {
            return gate;
        }

        gate = new ConcurrencyGate(max, settings.QueueSize, time);
        _gates.AddOrUpdate(destination, gate);
        return gate;
    }

    /// <summary>The gate a destination has, if any; for the candidates filter, which must not create gates.</summary>
    public ConcurrencyGate? Existing(DestinationState destination) => _gates.TryGetValue(destination, out var gate) ? gate : null;
}
