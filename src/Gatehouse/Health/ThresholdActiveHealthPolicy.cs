using System.Runtime.CompilerServices;
using Gatehouse.Configuration;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Health;

/// <summary>Active health with healthy and unhealthy thresholds (YARP's built-in policy has only the latter).</summary>
internal sealed class ThresholdActiveHealthPolicy(IDestinationHealthUpdater healthUpdater, GenerationHolder settings) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "Gatehouse.Thresholds";

    private readonly ConditionalWeakTable<DestinationState, StrongBox<ProbeStreak>> _streaks = new();

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        if (probingResults.Count == 0)
        {
            return;
        }

        var thresholds = settings.Current.Cluster<ActiveHealthThresholds>(cluster.ClusterId) ?? ActiveHealthThresholds.Default;
        var updates = new List<NewActiveDestinationHealth>(probingResults.Count);
        foreach (var result in probingResults)
        {
            var success = result.Response is { IsSuccessStatusCode: true };
            var box = _streaks.GetValue(result.Destination, static _ => new StrongBox<ProbeStreak>());
            ProbeStreak streak;
            lock (box)
            {
                streak = box.Value = box.Value.Record(success);
            }

            updates.Add(new NewActiveDestinationHealth(result.Destination, HealthDecisions.NextActive(result.Destination.Health.Active, streak, thresholds)));
        }

        healthUpdater.SetActive(cluster, updates);
    }
}
