using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Request collapsing: concurrent misses for one primary key make one origin request (the leader's); the others wait
/// for its outcome. When the leader's response turns out uncacheable, the key is remembered for
/// <see cref="HttpCacheOptions.SkipCollapsingAfterUncacheable"/> so that later misses for it go to the origin at once
/// instead of queueing behind one another's leaders.
/// </summary>
internal sealed class RequestCollapsing(IOptions<HttpCacheOptions> options, TimeProvider time)
{
    // Bounds the memory of uncacheable keys; past it the memory starts over (it is only an optimisation).
    private const int MaxRememberedKeys = 10_000;

    private readonly ConcurrentDictionary<string, CollapsedForward> _forwards = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _uncacheableUntil = new(StringComparer.Ordinal);

    /// <summary>Raised when a request starts waiting for another's forward (with the key); for tests and diagnostics.</summary>
    internal event Action<string>? WaiterJoined;

    /// <summary>
    /// Joins the forward in progress for <paramref name="key"/>, or starts one. <paramref name="isLeader"/> tells which:
    /// a leader must <see cref="Finish"/> its forward whatever happens.
    /// </summary>
    public CollapsedForward Join(string key, out bool isLeader)
    {
        var mine = new CollapsedForward(key);
        var forward = _forwards.GetOrAdd(key, mine);
        isLeader = ReferenceEquals(forward, mine);
        return forward;
    }

    /// <summary>
    /// Waits for the outcome of <paramref name="forward"/>, at most <see cref="HttpCacheOptions.CollapseTimeout"/>
    /// (then <see cref="TimeoutException"/>).
    /// </summary>
    public Task<CollapseOutcome> WaitAsync(CollapsedForward forward, CancellationToken cancellationToken)
    {
        forward.AddWaiter();
        var outcome = forward.Outcome.WaitAsync(options.Value.CollapseTimeout, time, cancellationToken);
        WaiterJoined?.Invoke(forward.Key);
        return outcome;
    }

    /// <summary>Ends a forward: later misses start a new one, and its waiters get <paramref name="outcome"/>. Only the first call counts.</summary>
    public void Finish(CollapsedForward forward, CollapseOutcome outcome)
    {
        _forwards.TryRemove(KeyValuePair.Create(forward.Key, forward));
        forward.Complete(outcome);
    }

    /// <summary>Whether misses for <paramref name="key"/> should skip collapsing because its last response was uncacheable.</summary>
    public bool IsRememberedUncacheable(string key)
    {
        if (!_uncacheableUntil.TryGetValue(key, out var until))
        {
            return false;
        }
        if (time.GetUtcNow() < until)
        {
            return true;
        }
        _uncacheableUntil.TryRemove(KeyValuePair.Create(key, until));
        return false;
    }

    public void RememberUncacheable(string key)
    {
        var window = options.Value.SkipCollapsingAfterUncacheable;
        if (window <= TimeSpan.Zero)
        {
            return;
        }
        if (_uncacheableUntil.Count >= MaxRememberedKeys)
        {
            _uncacheableUntil.Clear();
        }
        _uncacheableUntil[key] = time.GetUtcNow() + window;
    }

    public void ForgetUncacheable(string key) => _uncacheableUntil.TryRemove(key, out _);

    /// <summary>How many requests wait for the forward in progress for <paramref name="key"/>.</summary>
    internal int WaitersFor(string key) => _forwards.TryGetValue(key, out var forward) ? forward.Waiters : 0;
}
