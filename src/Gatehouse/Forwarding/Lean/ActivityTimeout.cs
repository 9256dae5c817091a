namespace Gatehouse.Forwarding;

/// <summary>
/// YARP's activity timeout for the lean path: cancels when the request is aborted, when the caller's token fires, or
/// when nothing moved for <c>ActivityTimeout</c> (each piece of body copied restarts the clock, as in YARP's copier).
/// </summary>
internal sealed class ActivityTimeout : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _aborted;
    private readonly CancellationToken _caller;

    public ActivityTimeout(TimeSpan timeout, CancellationToken aborted, CancellationToken caller)
    {
        _timeout = timeout;
        _aborted = aborted;
        _caller = caller;
        _source = caller.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(aborted, caller)
            : CancellationTokenSource.CreateLinkedTokenSource(aborted);
        _source.CancelAfter(timeout);
        Restart = RestartClock;
    }

    public CancellationToken Token => _source.Token;

    /// <summary>One delegate per exchange, handed to the body copy.</summary>
    public Action Restart { get; }

    /// <summary>Cancelled by the request's abort or the caller, not by the clock.</summary>
    public bool CancelledByLinkedToken => _aborted.IsCancellationRequested || _caller.IsCancellationRequested;

    public bool TimedOut => _source.IsCancellationRequested && !CancelledByLinkedToken;

    public void Cancel() => _source.Cancel();

    private void RestartClock()
    {
        if (!_source.IsCancellationRequested)
        {
            _source.CancelAfter(_timeout);
        }
    }

    public void Dispose() => _source.Dispose();
}
