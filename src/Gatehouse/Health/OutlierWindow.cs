using Yarp.ReverseProxy.Model;

namespace Gatehouse.Health;

/// <summary>
/// A cluster's requests per destination since the interval began. The request that finds the interval over takes the
/// samples (the counts start afresh) and judges them, so no timer runs per cluster; time comes from the
/// <see cref="TimeProvider"/>, so tests move it by hand.
/// </summary>
public sealed class OutlierWindow(TimeProvider time)
{
    private readonly Lock _gate = new();
    private Dictionary<DestinationState, Counts> _counts = [];
    private long _started = time.GetTimestamp();

    /// <summary>Counts one attempt; returns the interval's samples when this attempt closed it, else null.</summary>
    public IReadOnlyList<(DestinationState Destination, OutlierSample Sample)>? Record(DestinationState destination, bool failed, TimeSpan latency, TimeSpan interval)
    {
        lock (_gate)
        {
            ref var counts = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, destination, out _);
            counts = new Counts(counts.Requests + 1, counts.Failures + (failed ? 1 : 0), counts.Latency + latency);
            if (time.GetElapsedTime(_started) < interval)
            {
                return null;
            }

            var closed = _counts;
            _counts = [];
            _started = time.GetTimestamp();
            return closed.Select(c => (c.Key, new OutlierSample(c.Key.DestinationId, c.Value.Requests, c.Value.Failures, c.Value.Latency))).ToList();
        }
    }

    private readonly record struct Counts(long Requests, long Failures, TimeSpan Latency);
}
