namespace Gatehouse.Caching.Middleware;

/// <summary>How a collapsed forward ended, as its waiters see it.</summary>
/// <param name="Stored">The leader stored its response: waiters look in the store. Otherwise each goes to the origin itself.</param>
/// <param name="StatusCode">The status the origin answered the leader with, when it answered.</param>
internal readonly record struct CollapseOutcome(bool Stored, int? StatusCode)
{
    public static CollapseOutcome Failed { get; } = new(false, null);
}

/// <summary>One forward to the origin for a primary key that other requests for the same key wait for.</summary>
internal sealed class CollapsedForward(string key)
{
    private readonly TaskCompletionSource<CollapseOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiters;

    public string Key { get; } = key;

    public Task<CollapseOutcome> Outcome => _outcome.Task;

    public int Waiters => Volatile.Read(ref _waiters);

    public void AddWaiter() => Interlocked.Increment(ref _waiters);

    /// <summary>Releases the waiters; only the first outcome counts.</summary>
    public void Complete(CollapseOutcome outcome) => _outcome.TrySetResult(outcome);
}
