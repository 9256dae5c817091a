using System.Runtime.CompilerServices;
using Gatehouse.Configuration;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.LoadBalancing;

internal sealed class WeightedRoundRobinPolicy(GenerationHolder settings) : ILoadBalancingPolicy
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
        lock (state)
        {
            for (var i = 0; i < count; i++)
            {
                var id = availableDestinations[i].DestinationId;
                weights[i] = clusterSettings.WeightOf(id);
                scores[i] = state.ByDestination.GetValueOrDefault(id);
            }

            var picked = SmoothWeightedRoundRobin.Pick(weights, scores);
            for (var i = 0; i < count; i++)
            {
                state.ByDestination[availableDestinations[i].DestinationId] = scores[i];
            }

            return availableDestinations[picked];
        }
    }

    private sealed class Scores
    {
        public Dictionary<string, long> ByDestination { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
