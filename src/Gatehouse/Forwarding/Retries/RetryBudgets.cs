using System.Collections.Concurrent;

namespace Gatehouse.Forwarding;

/// <summary>One retry budget per cluster, kept across reloads.</summary>
public sealed class RetryBudgets(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RetryBudget> _byCluster = new(StringComparer.OrdinalIgnoreCase);

    public RetryBudget For(string clusterId) => _byCluster.GetOrAdd(clusterId, static (_, t) => new RetryBudget(t), time);
}
