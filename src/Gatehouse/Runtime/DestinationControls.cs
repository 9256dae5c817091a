using System.Collections.Frozen;

namespace Gatehouse.Runtime;

/// <summary>
/// The destinations an operator took out of rotation (drained or disabled), by cluster and destination id (both
/// case-insensitive, as in the config). The state belongs to the process, not to a config generation: it survives every
/// reload until it is cleared, and is dropped only for a destination the config no longer has (one that comes back
/// later starts active). Readers on the request path get an immutable snapshot, null for a cluster with none, so the
/// common case costs one read.
/// </summary>
public sealed class DestinationControls
{
    private static readonly FrozenDictionary<string, FrozenDictionary<string, DestinationMode>> None =
        FrozenDictionary<string, FrozenDictionary<string, DestinationMode>>.Empty;

    private readonly Lock _gate = new();
    private readonly GenerationHolder _generations;
    private volatile FrozenDictionary<string, FrozenDictionary<string, DestinationMode>> _byCluster = None;
    private int _operatorSets;

    /// <summary>Subscribes to <paramref name="generations"/> so that destinations leaving the config lose their state.</summary>
    public DestinationControls(GenerationHolder generations)
    {
        _generations = generations;
        generations.Applied += generation => Retain((cluster, destination) => Configured(generation.Config, cluster, destination));
    }

    /// <summary>Raised after every change (for the dashboard's live view and for metrics).</summary>
    public event Action? Changed;

    /// <summary>Raised after an operator's <see cref="Set"/> (not after <see cref="ReplaceAll"/>): cluster mode shares it with the other nodes.</summary>
    public event Action<string, string, DestinationMode>? SetByOperator;

    /// <summary>The destinations of <paramref name="clusterId"/> that are out of rotation; null when none is.</summary>
    public FrozenDictionary<string, DestinationMode>? OutOfRotation(string clusterId) =>
        _byCluster.Count == 0 ? null : _byCluster.GetValueOrDefault(clusterId);

    public DestinationMode ModeOf(string clusterId, string destinationId) =>
        OutOfRotation(clusterId)?.GetValueOrDefault(destinationId) ?? DestinationMode.Active;

    /// <summary>The mode of a live destination: its own, else that of the configured one it was resolved from (DNS discovery).</summary>
    public DestinationMode ModeOf(string clusterId, Yarp.ReverseProxy.Model.DestinationState destination) =>
        ModeOf(clusterId, destination.DestinationId) is var own && own != DestinationMode.Active ? own
        : destination.Model?.Config.Metadata?.GetValueOrDefault(DestinationMetadata.ConfiguredId) is { } configured ? ModeOf(clusterId, configured)
        : own;

    /// <summary>How many operator changes (<see cref="Set"/>) there have been: a reader of shared state passes it back to <see cref="ReplaceAll"/>.</summary>
    public int OperatorSets => Volatile.Read(ref _operatorSets);

    /// <summary>Every destination out of rotation.</summary>
    public IReadOnlyList<(string Cluster, string Destination, DestinationMode Mode)> All =>
        _byCluster.SelectMany(c => c.Value.Select(d => (c.Key, d.Key, d.Value))).ToList();

    /// <summary>Sets a destination's mode; <see cref="DestinationMode.Active"/> clears what was set.</summary>
    public void Set(string clusterId, string destinationId, DestinationMode mode)
    {
        lock (_gate)
        {
            var entries = All.Where(e => !(Same(e.Cluster, clusterId) && Same(e.Destination, destinationId))).ToList();
            if (mode != DestinationMode.Active)
            {
                entries.Add((clusterId, destinationId, mode));
            }

            Publish(entries);
            _operatorSets++;
        }

        Changed?.Invoke();
        SetByOperator?.Invoke(clusterId, destinationId, mode);
    }

    /// <summary>
    /// Makes <paramref name="entries"/> the whole state (cluster mode: the state the nodes share, read from Redis), keeping
    /// only destinations the config in force has. With <paramref name="unlessSetSince"/> (an <see cref="OperatorSets"/>
    /// read before the entries were), nothing changes when an operator has set a mode since: the entries may predate
    /// it, and the change's own exchange brings the state that includes it.
    /// </summary>
    public void ReplaceAll(IEnumerable<(string Cluster, string Destination, DestinationMode Mode)> entries, int? unlessSetSince = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var config = _generations.Current.Config;
        lock (_gate)
        {
            if (unlessSetSince is { } seen && seen != _operatorSets)
            {
                return;
            }

            var current = All;
            var next = entries
                .Where(e => e.Mode != DestinationMode.Active && Configured(config, e.Cluster, e.Destination))
                .DistinctBy(e => (e.Cluster.ToLowerInvariant(), e.Destination.ToLowerInvariant()))
                .ToList();
            if (next.Count == current.Count && next.All(e => ModeOf(e.Cluster, e.Destination) == e.Mode))
            {
                return;
            }

            Publish(next);
        }

        Changed?.Invoke();
    }

    private static bool Configured(Configuration.GatehouseConfig config, string cluster, string destination) =>
        config.Clusters.FirstOrDefault(c => Same(c.Key, cluster)).Value is { } definition
        && definition.Destinations.Keys.Any(d => Same(d, destination));

    /// <summary>Keeps the state of the destinations <paramref name="stillConfigured"/> accepts and drops the rest.</summary>
    public void Retain(Func<string, string, bool> stillConfigured)
    {
        lock (_gate)
        {
            var entries = All;
            var kept = entries.Where(e => stillConfigured(e.Cluster, e.Destination)).ToList();
            if (kept.Count == entries.Count)
            {
                return;
            }

            Publish(kept);
        }

        Changed?.Invoke();
    }

    private void Publish(List<(string Cluster, string Destination, DestinationMode Mode)> entries) =>
        _byCluster = entries.Count == 0 ? None : entries
            .GroupBy(e => e.Cluster, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.ToFrozenDictionary(e => e.Destination, e => e.Mode, StringComparer.OrdinalIgnoreCase),
                StringComparer.OrdinalIgnoreCase);

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
