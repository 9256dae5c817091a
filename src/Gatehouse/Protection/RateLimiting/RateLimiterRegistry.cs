using System.Threading.RateLimiting;
using Gatehouse.Cluster;

namespace Gatehouse.Protection;

/// <summary>
/// The live limiters, one <see cref="PartitionedRateLimiter{TResource}"/> per policy name. Each reload hands the new
/// config's policies to <see cref="Apply"/> (from <see cref="Configuration.ConfigReloader"/>): a policy whose limits are
/// unchanged keeps its limiter (and so every client's count), a changed policy gets a new limiter that starts fresh, and
/// a removed policy's limiter is disposed.
/// <para>
/// A request still running on the previous generation (its route's endpoint was built before the reload) is counted by
/// the limiter of its policy's name as the reload left it: the same counters as every other request, so a reload never
/// hands out a fresh allowance by switching limiters back and forth. Only a name the new config dropped gets a limiter
/// of its own for such a request, until the next reload disposes it.
/// </para>
/// </summary>
/// <para>
/// In cluster mode (a <see cref="ClusterConnection"/>), window and bucket policies are counted in Redis across the nodes
/// (<see cref="SharedRateLimiter"/>); concurrency stays per node, as requests in flight are a node's own.
/// </para>
public sealed class RateLimiterRegistry(ClusterConnection? cluster = null, TimeProvider? time = null) : IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private Dictionary<string, Entry> _limiters = new(StringComparer.Ordinal);

    private sealed record Entry(RateLimitPolicy Policy, PartitionedRateLimiter<HttpContext> Limiter);

    /// <summary>The limiter counting requests under <paramref name="policy"/>'s name.</summary>
    public PartitionedRateLimiter<HttpContext> For(RateLimitPolicy policy) =>
        Volatile.Read(ref _limiters).TryGetValue(policy.Name, out var entry) ? entry.Limiter : Add(policy);

    private PartitionedRateLimiter<HttpContext> Add(RateLimitPolicy policy)
    {
        lock (_gate)
        {
            if (_limiters.TryGetValue(policy.Name, out var entry))
            {
                return entry.Limiter;
            }

            var limiter = Build(policy);
            Volatile.Write(ref _limiters, new Dictionary<string, Entry>(_limiters, StringComparer.Ordinal) { [policy.Name] = new Entry(policy, limiter) });
            return limiter;
        }
    }

    /// <summary>Makes <paramref name="current"/> the policies in force (called as a reload is applied).</summary>
    public void Apply(IEnumerable<RateLimitPolicy> current)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, Entry>(StringComparer.Ordinal);
            foreach (var policy in current)
            {
                next[policy.Name] = _limiters.TryGetValue(policy.Name, out var entry) && entry.Policy.SameLimits(policy)
                    ? entry with { Policy = policy }
                    : new Entry(policy, Build(policy));
            }

            var retired = _limiters.Values.Where(old => !next.TryGetValue(old.Policy.Name, out var kept) || !ReferenceEquals(kept.Limiter, old.Limiter)).ToList();
            Volatile.Write(ref _limiters, next);
            // In-flight leases of a retired limiter are released into a disposed limiter, which ignores them.
            foreach (var entry in retired)
            {
                entry.Limiter.Dispose();
            }
        }
    }

    /// <summary>A policy's limiter on this node alone.</summary>
    internal static PartitionedRateLimiter<HttpContext> Create(RateLimitPolicy policy) =>
        PartitionedRateLimiter.Create<HttpContext, RateLimitPartitionKey>(context => policy.Partition(policy.Key.PartitionOf(context)));

    /// <summary>A policy's limiter: shared through Redis in cluster mode (but concurrency), else this node's own.</summary>
    private PartitionedRateLimiter<HttpContext> Build(RateLimitPolicy policy)
    {
        if (cluster is null || SharedLeasePlan.For(policy) is not { } plan)
        {
            return Create(policy);
        }

        var keyPrefix = SharedRateLimitKeys.PolicyPrefix(policy, plan);
        return PartitionedRateLimiter.Create<HttpContext, RateLimitPartitionKey>(context => RateLimitPartition.Get(
            policy.Key.PartitionOf(context),
            partition => new SharedRateLimiter(
                policy, plan, cluster.Keys.Key(keyPrefix + SharedRateLimitKeys.Partition(partition)), cluster,
                () => policy.Partition(partition).Factory(partition), _time)));
    }

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
