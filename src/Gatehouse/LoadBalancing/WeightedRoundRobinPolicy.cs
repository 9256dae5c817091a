using System.Runtime.CompilerServices;
using Gatehouse.Configuration;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.LoadBalancing;

internal sealed class WeightedRoundRobinPolicy(GenerationHolder settings, SlowStartTracker slowStart) : ILoadBalancingPolicy
{
    private readonly ConditionalWeakTable<ClusterState, Scores> _scores = new();

    public string Name => LoadBalancingPolicyNames.WeightedRoundRobin;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var count = availableDestinations.Count;
        if (count <= 1)
        {
            return count == 0 ? null : availableDestinations[0];
        }

        var clusterSettings = settings.For(context).Cluster<ClusterBalancing>(cluster.ClusterId) ?? ClusterBalancing.Default;
        var state = _scores.GetValue(cluster, static _ => new Scores());
        Span<int> weights = count <= 64 ? stackalloc int[count] : new int[count];
        Span<long> scores = count <= 64 ? stackalloc long[count] : new long[count];
        Span<int> order = count <= 64 ? stackalloc int[count] : new int[count];
        Span<int> positions = count <= 64 ? stackalloc int[count] : new int[count];
        InConfigOrder(availableDestinations, clusterSettings, positions, order);
        lock (state)
        {
            for (var i = 0; i < count; i++)
            {
                var destination = availableDestinations[order[i]];
                var id = destination.DestinationId;
                var weight = clusterSettings.WeightOf(destination);
                // Slow start: a ramping destination's weight is its share of the full one (SlowStartFilter observed its health).
                weights[i] = clusterSettings.SlowStart is { } period ? SlowStartRamp.ScaledWeight(weight, slowStart.Factor(destination, period)) : weight;
                scores[i] = state.ByDestination.GetValueOrDefault(id);
            }

            var picked = SmoothWeightedRoundRobin.Pick(weights, scores);
            for (var i = 0; i < count; i++)
            {
                state.ByDestination[availableDestinations[order[i]].DestinationId] = scores[i];
            }

            return availableDestinations[order[picked]];
        }
    }

    /// <summary>
    /// The indexes of <paramref name="destinations"/> in config order. YARP lists them in its dictionary's order, which
    /// follows the ids' hashes; in config order, equal scores go to the destination listed first, so the sequence is the
    /// one docs/load-balancing.md shows (weights 5, 1, 1 give a a b a c a a). An insertion sort: the list is short, and
    /// this runs on every request without allocating.
    /// </summary>
    private static void InConfigOrder(IReadOnlyList<DestinationState> destinations, ClusterBalancing settings, Span<int> positions, Span<int> order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            positions[i] = settings.PositionOf(destinations[i].DestinationId);
        }

        for (var i = 0; i < order.Length; i++)
        {
            var j = i;
            while (j > 0 && positions[order[j - 1]] > positions[i])
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = i;
        }
    }

    private sealed class Scores
    {
        public Dictionary<string, long> ByDestination { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
