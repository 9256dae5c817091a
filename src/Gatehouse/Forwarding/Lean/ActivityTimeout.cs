using System.Collections.Concurrent;

namespace Gatehouse.Forwarding;

/// <summary>
/// YARP's activity timeout for the lean path: cancels when the request is aborted, when the caller's token fires, or
/// when nothing moved for <c>ActivityTimeout</c> (each piece of body copied restarts the clock, as in YARP's copier).
/// Rented and returned like YARP's own (a linked source, its timer and a delegate per request cost about 400 bytes).
/// </summary>
internal sealed class ActivityTimeout : CancellationTokenSource
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<ActivityTimeout> Pool = new();
    private static int _pooled;

    private TimeSpan _timeout;
    private CancellationTokenRegistration _aborted;
    private CancellationTokenRegistration _caller;
    private volatile bool _cancelledByLinkedToken;

    private ActivityTimeout() => Restart = RestartClock;

    /// <summary>Restarts the clock; one delegate per pooled instance, handed to the body copy.</summary>
    public Action Restart { get; }

    /// <summary>Cancelled by the request's abort or the caller, not by the clock.</summary>
    public bool CancelledByLinkedToken => _cancelledByLinkedToken;

    public bool TimedOut => IsCancellationRequested && !_cancelledByLinkedToken;

    public static ActivityTimeout Rent(TimeSpan timeout, CancellationToken aborted, CancellationToken caller)
    {
        if (Pool.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            source = new ActivityTimeout();
        }

        source._timeout = timeout;
        source._cancelledByLinkedToken = false;
        source.CancelAfter(timeout);
        source._aborted = aborted.UnsafeRegister(LinkedCancel, source);
        source._caller = caller.UnsafeRegister(LinkedCancel, source);
        return source;
    }

    public void Return()
    {
        _aborted.Dispose();
        _caller.Dispose();
        if (TryReset())
        {
            if (Interlocked.Increment(ref _pooled) <= MaxPooled)
            {
                Pool.Enqueue(this);
                return;
            }

            Interlocked.Decrement(ref _pooled);
        }

        Dispose();
    }

    private static void LinkedCancel(object? state)
    {
        var source = (ActivityTimeout)state!;
        source._cancelledByLinkedToken = true;
        source.Cancel();
    }

    private void RestartClock()
    {
        if (!IsCancellationRequested)
        {
            CancelAfter(_timeout);
        }
    }
}
