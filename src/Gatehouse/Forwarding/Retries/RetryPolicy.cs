using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>A cluster's retry settings, compiled once per config generation.</summary>
public sealed record RetryPolicy(int MaxAttempts, FrozenSet<int> Statuses, RetryBudgetSettings Budget)
{
    public static RetryPolicy Default { get; } = From(new ClusterDefinition());

    public static RetryPolicy From(ClusterDefinition cluster)
    {
        var retry = cluster.Retry;
        var budget = retry.Budget;
        return new RetryPolicy(
            retry.Enabled ? retry.MaxAttempts : 1,
            retry.Statuses.ToFrozenSet(),
            new RetryBudgetSettings(budget.Percent / 100.0, budget.MinRetriesPerSecond, budget.Window.Value ?? TimeSpan.FromSeconds(10)));
    }
}

public sealed record RetryBudgetSettings(double Ratio, int MinRetriesPerSecond, TimeSpan Window);
