using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.Runtime;

/// <summary>
/// One applied config, compiled: the validated config, each feature's settings for the whole config, per cluster and
/// per route. Immutable; a reload publishes a new one (<see cref="GenerationHolder"/>) and a request reads exactly one.
/// </summary>
public sealed class Generation
{
    public Generation(int revision, GatehouseConfig config, FeatureSet features, IEnumerable<KeyValuePair<string, FeatureSet>> clusters, IEnumerable<KeyValuePair<string, FeatureSet>> routes)
    {
        Revision = revision;
        Config = config;
        Features = features;
        Clusters = clusters.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Routes = routes.ToFrozenDictionary(r => r.Key, r => new RouteRuntime(this, r.Key, r.Value), StringComparer.OrdinalIgnoreCase);
    }

    public static Generation Empty { get; } = new(0, new GatehouseConfig(), FeatureSet.Empty, [], []);

    /// <summary>The reload revision this generation was applied as (0 for one never applied).</summary>
    public int Revision { get; }

    public GatehouseConfig Config { get; }

    /// <summary>Settings that are not per cluster or per route (trusted proxies, backend hiding, known hosts…).</summary>
    public FeatureSet Features { get; }

    public FrozenDictionary<string, FeatureSet> Clusters { get; }

    public FrozenDictionary<string, RouteRuntime> Routes { get; }

    public T? Get<T>()
        where T : class => Features.Get<T>();

    /// <summary>The <typeparamref name="T"/> of cluster <paramref name="clusterId"/>; null when there is no such cluster or setting.</summary>
    public T? Cluster<T>(string clusterId)
        where T : class => Clusters.TryGetValue(clusterId, out var cluster) ? cluster.Get<T>() : null;
}
