using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.LoadBalancing;

/// <summary>What Gatehouse's balancing policies read of a cluster: the hash key and each destination's weight.</summary>
public sealed record ClusterBalancing(HashKey HashKey, FrozenDictionary<string, int> Weights)
{
    public static ClusterBalancing Default { get; } = From(new ClusterDefinition());

    public int WeightOf(string destinationId) => Weights.TryGetValue(destinationId, out var weight) ? weight : 1;

    public static ClusterBalancing From(ClusterDefinition cluster) => new(
        HashKey.TryParse(cluster.HashKey, out var parsed) ? parsed : HashKey.ClientIp,
        cluster.Destinations.ToFrozenDictionary(d => d.Key, d => d.Value.Weight, StringComparer.OrdinalIgnoreCase));
}
