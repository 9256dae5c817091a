namespace Gatehouse.Overload;

/// <summary>How a request fared at a destination's <see cref="ConcurrencyGate"/>.</summary>
public enum Admission
{
    /// <summary>It holds a slot: send it, then <see cref="ConcurrencyGate.Release"/>.</summary>
    Admitted,

    /// <summary>The queue was full when it came: refused at once.</summary>
    QueueFull,

    /// <summary>It waited the whole queue timeout without getting a slot.</summary>
    TimedOut,

    /// <summary>The client went away while it waited.</summary>
    Canceled,
}

/// <summary>
/// At most <see cref="MaxConcurrent"/> holders at a time, and a bounded FIFO queue of waiters (HAProxy's maxconn and
/// queue per server). A released slot goes to the longest waiter, never to a newcomer, so service is in arrival order
/// and nobody can be overtaken. The timeout runs on the injected <see cref="TimeProvider"/>. No sockets: tested alone.
/// </summary>
public sealed class ConcurrencyGate(int maxConcurrent, int queueSize, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _queue = new();
    private int _active;

    public int MaxConcurrent { get; } = maxConcurrent;

    public int QueueSize { get; } = queueSize;

    /// <summary>Slots held now.</summary>
    public int Active
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    /// <summary>Requests waiting now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Whether a request arriving now would be admitted at once.</summary>
    public bool HasRoom
    {
        get
        {
            lock (_gate)
            {
                return _active < MaxConcurrent && _queue.Count == 0;
            }
        }
    }

    /// <summary>A slot now, or a place in the queue until one is released, <paramref name="timeout"/> runs out or the caller cancels.</summary>
    public ValueTask<Admission> EnterAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_active < MaxConcurrent && _queue.Count == 0)
            {
                _active++;
                return ValueTask.FromResult(Admission.Admitted);
            }

            if (_queue.Count >= QueueSize)
            {
                return ValueTask.FromResult(Admission.QueueFull);
            }

            waiter = new Waiter(this);
            waiter.Node = _queue.AddLast(waiter);
        }

        return new ValueTask<Admission>(WaitAsync(waiter, timeout, cancellationToken));
    }

    /// <summary>Gives the slot back: to the longest waiter when there is one (the slot changes hands), else frees it.</summary>
    public void Release()
    {
        Waiter? next = null;
        lock (_gate)
        {
            if (_queue.First is { } first)
            {
                next = first.Value;
                _queue.RemoveFirst();
                next.Node = null;
            }
            else if (_active > 0)
            {
                _active--;
            }
        }

        next?.Outcome.TrySetResult(Admission.Admitted);
    }

    private async Task<Admission> WaitAsync(Waiter waiter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var timer = time.CreateTimer(static state => ((Waiter)state!).Leave(Admission.TimedOut), waiter, timeout, Timeout.InfiniteTimeSpan);
        await using var cancel = cancellationToken.Register(static state => ((Waiter)state!).Leave(Admission.Canceled), waiter);
        return await waiter.Outcome.Task.ConfigureAwait(false);
    }

    /// <summary>A waiter that gives up leaves the queue, unless <see cref="Release"/> took it out first (then it holds a slot).</summary>
    private void Withdraw(Waiter waiter, Admission reason)
    {
        lock (_gate)
        {
            if (waiter.Node is null)
            {
                return; // admitted already: the outcome is set
            }

            _queue.Remove(waiter.Node);
            waiter.Node = null;
        }

        waiter.Outcome.TrySetResult(reason);
    }

    private sealed class Waiter(ConcurrencyGate gate)
    {
        public TaskCompletionSource<Admission> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public void Leave(Admission reason) => gate.Withdraw(this, reason);
    }
}
