using System.Threading.RateLimiting;

namespace Gatehouse.Protection;

/// <summary>
/// The live limiters, one <see cref="PartitionedRateLimiter{TResource}"/> per policy. After a reload, a policy whose
/// limits are unchanged keeps its limiter (and so every client's count); a changed policy gets a new limiter and starts
/// fresh (on the first request that uses it); a removed policy's limiter is disposed when the reload is applied
/// (<see cref="Configuration.ConfigReloader"/> calls <see cref="Retain"/>).
/// </summary>
public sealed class RateLimiterRegistry : IDisposable
{
    private readonly Lock _gate = new();
    private Dictionary<string, Entry> _limiters = new(StringComparer.Ordinal);

    private sealed record Entry(RateLimitPolicy Policy, PartitionedRateLimiter<HttpContext> Limiter);

    /// <summary>The limiter of <paramref name="policy"/>: its own when the policy is unchanged, a new one when it changed.</summary>
    public PartitionedRateLimiter<HttpContext> For(RateLimitPolicy policy)
    {
        var limiters = Volatile.Read(ref _limiters);
        if (limiters.TryGetValue(policy.Name, out var entry) && (ReferenceEquals(entry.Policy, policy)))
        {
            return entry.Limiter;
        }

        return Replace(policy);
    }

    private PartitionedRateLimiter<HttpContext> Replace(RateLimitPolicy policy)
    {
        lock (_gate)
        {
            var limiters = _limiters;
            if (limiters.TryGetValue(policy.Name, out var entry))
            {
                if (ReferenceEquals(entry.Policy, policy))
                {
                    return entry.Limiter;
                }

                if (entry.Policy.SameLimits(policy))
                {
                    // Same limits from a reloaded config: keep the counters, remember the new policy object.
                    var kept = new Dictionary<string, Entry>(limiters, StringComparer.Ordinal) { [policy.Name] = entry with { Policy = policy } };
                    Volatile.Write(ref _limiters, kept);
                    return entry.Limiter;
                }
            }

            var limiter = Create(policy);
            var next = new Dictionary<string, Entry>(limiters, StringComparer.Ordinal) { [policy.Name] = new Entry(policy, limiter) };
            Volatile.Write(ref _limiters, next);
            // In-flight leases of the old limiter are released into a disposed limiter, which ignores them.
            entry?.Limiter.Dispose();
            return limiter;
        }
    }

    /// <summary>Drops the limiters of policies no longer in <paramref name="current"/> (called as a reload is applied).</summary>
    public void Retain(IEnumerable<string> current)
    {
        lock (_gate)
        {
            var keep = current.ToHashSet(StringComparer.Ordinal);
            var gone = _limiters.Where(e => !keep.Contains(e.Key)).ToList();
            if (gone.Count == 0)
            {
                return;
            }

            Volatile.Write(ref _limiters, _limiters.Where(e => keep.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
            foreach (var (_, entry) in gone)
            {
                entry.Limiter.Dispose();
            }
        }
    }

    internal static PartitionedRateLimiter<HttpContext> Create(RateLimitPolicy policy) =>
        PartitionedRateLimiter.Create<HttpContext, RateLimitPartitionKey>(context => policy.Partition(policy.Key.PartitionOf(context)));

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _limiters.Values)
            {
                entry.Limiter.Dispose();
            }

            _limiters = new(StringComparer.Ordinal);
        }
    }
}
