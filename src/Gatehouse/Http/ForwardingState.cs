using System.Collections.Frozen;

namespace Gatehouse.Http;

/// <summary>
/// Per-request state shared between the attempt loop (<see cref="ForwardingMiddleware"/>) and the response transform
/// that runs inside YARP's forwarder when the backend's headers arrive.
/// </summary>
internal sealed class ForwardingState
{
    private CancellationTokenSource? _timeout;

    /// <summary>Whether the current attempt could be followed by another; set before each attempt.</summary>
    public bool RetryAllowed { get; set; }

    public FrozenSet<int> RetryStatuses { get; set; } = FrozenSet<int>.Empty;

    /// <summary>A backend status that the transform held back (body discarded) so that the attempt can be retried.</summary>
    public int? RejectedStatus { get; set; }

    /// <summary>A backend error status whose body the transform discarded, to be answered with Gatehouse's own page.</summary>
    public int? ReplacedStatus { get; set; }

    public int Attempts { get; set; }

    /// <summary>Time spent in the attempts, each from picking a destination to the last byte of its response (nginx's $upstream_response_time, summed).</summary>
    public TimeSpan UpstreamTime { get; set; }

    /// <summary>The last attempt's time, from picking a destination to the end of its response (for outlier detection).</summary>
    public TimeSpan LastAttemptTime { get; set; }

    /// <summary>The route timeout has fired.</summary>
    public bool TimeoutFired => _timeout?.IsCancellationRequested == true;

    public void ArmTimeout(CancellationTokenSource timeout) => _timeout = timeout;

    /// <summary>Response headers arrived: the route timeout no longer applies; body streaming is bounded by the activity timeout.</summary>
    public void DisarmTimeout()
    {
        var timeout = _timeout;
        if (timeout is not null && !timeout.IsCancellationRequested)
        {
            try
            {
                timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The attempt loop already finished with it.
            }
        }
    }
}
