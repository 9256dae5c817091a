namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// A count that only goes up (requests a backend received, probes it answered), and tasks that complete once it has
/// reached a number: what a test awaits instead of polling or sleeping.
/// </summary>
public sealed class CountWatch
{
    private readonly List<(long Count, TaskCompletionSource Reached)> _waiters = [];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Counts one more, completes every wait it reaches, and returns the new count.</summary>
    public long Increment()
    {
        var now = Interlocked.Increment(ref _count);
        lock (_waiters)
        {
            _waiters.RemoveAll(w => now >= w.Count && w.Reached.TrySetResult());
        }

        return now;
    }

    /// <summary>Completes once the count is at least <paramref name="count"/> (at once if it already is).</summary>
    public Task WhenReaches(long count)
    {
        lock (_waiters)
        {
            if (Count >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, waiter));
            return waiter.Task;
        }
    }
}
