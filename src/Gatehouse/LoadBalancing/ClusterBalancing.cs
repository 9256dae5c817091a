using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.LoadBalancing;

/// <summary>What Gatehouse's balancing policies read of a cluster: the hash key, each destination's weight and its place in the config.</summary>
public sealed record ClusterBalancing(HashKey HashKey, FrozenDictionary<string, int> Weights)
{
    public static ClusterBalancing Default { get; } = From(new ClusterDefinition());

    /// <summary>Each destination's index in the config's <c>destinations</c>, for policies whose order is visible (ties).</summary>
    public FrozenDictionary<string, int> Positions { get; init; } = FrozenDictionary<string, int>.Empty;

    /// <summary>A ramp for destinations that come back healthy or are added (docs/load-balancing.md#slow-start); null when off.</summary>
    public TimeSpan? SlowStart { get; init; }

    public int WeightOf(string destinationId) => Weights.TryGetValue(destinationId, out var weight) ? weight : 1;

    /// <summary>The weight a destination made at run time carries (an SRV record's), else the configured one.</summary>
    public int WeightOf(Yarp.ReverseProxy.Model.DestinationState destination) =>
        Runtime.DestinationMetadata.WeightOf(destination.Model?.Config.Metadata) ?? WeightOf(destination.DestinationId);

    /// <summary>The destination's place in the config; one not in it (a destination added at run time) comes after them all.</summary>
    public int PositionOf(string destinationId) => Positions.TryGetValue(destinationId, out var position) ? position : int.MaxValue;

    public static ClusterBalancing From(ClusterDefinition cluster) => new(
        HashKey.TryParse(cluster.HashKey, out var parsed) ? parsed : HashKey.ClientIp,
        cluster.Destinations.ToFrozenDictionary(d => d.Key, d => d.Value.Weight, StringComparer.OrdinalIgnoreCase))
    {
        Positions = cluster.Destinations.Keys.Select((id, index) => (id, index)).DistinctBy(d => d.id, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(d => d.id, d => d.index, StringComparer.OrdinalIgnoreCase),
        SlowStart = cluster.SlowStart?.Value is { } period && period > TimeSpan.Zero ? period : null,
    };
}
