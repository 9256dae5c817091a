using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.LoadBalancing;

/// <summary>What Gatehouse's balancing policies read of a cluster: the hash key, each destination's weight and its place in the config.</summary>
public sealed record ClusterBalancing(HashKey HashKey, FrozenDictionary<string, int> Weights)
{
    public static ClusterBalancing Default { get; } = From(new ClusterDefinition());

    /// <summary>Each destination's index in the config's <c>destinations</c>, for policies whose order is visible (ties).</summary>
    public FrozenDictionary<string, int> Positions { get; init; } = FrozenDictionary<string, int>.Empty;

    public int WeightOf(string destinationId) => Weights.TryGetValue(destinationId, out var weight) ? weight : 1;

    /// <summary>The destination's place in the config; one not in it (a destination added at run time) comes after them all.</summary>
    public int PositionOf(string destinationId) => Positions.TryGetValue(destinationId, out var position) ? position : int.MaxValue;

    public static ClusterBalancing From(ClusterDefinition cluster) => new(
        HashKey.TryParse(cluster.HashKey, out var parsed) ? parsed : HashKey.ClientIp,
        cluster.Destinations.ToFrozenDictionary(d => d.Key, d => d.Value.Weight, StringComparer.OrdinalIgnoreCase))
    {
        Positions = cluster.Destinations.Keys.Select((id, index) => (id, index)).DistinctBy(d => d.id, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(d => d.id, d => d.index, StringComparer.OrdinalIgnoreCase),
    };
}
