using Gatehouse.Configuration;

namespace Gatehouse.TrafficShaping;

/// <summary>One override of a split: a header or cookie (with a value, or any) that picks a cluster, or names it itself.</summary>
public sealed record SplitOverride(bool IsCookie, string Name, string? Value, string? Cluster);

/// <summary>
/// A route's split, compiled: its clusters with their cumulative weights (a bucket in [0, <see cref="TotalWeight"/>)
/// falls to the first cluster whose upper bound is above it), the key that makes it sticky, and the overrides.
/// </summary>
public sealed record RouteSplit(IReadOnlyList<string> Clusters, IReadOnlyList<long> UpperBounds, SplitKey? Key, IReadOnlyList<SplitOverride> Overrides)
{
    public long TotalWeight => UpperBounds.Count == 0 ? 0 : UpperBounds[^1];

    /// <summary>The route's split; null when it has none (or only overrides with no split: then the overrides alone apply).</summary>
    public static RouteSplit? From(RouteDefinition route)
    {
        if (route.Split is not { Count: > 0 } && route.SplitOverrides is not { Count: > 0 })
        {
            return null;
        }

        var clusters = new List<string>();
        var bounds = new List<long>();
        long total = 0;
        foreach (var target in route.Split ?? [])
        {
            total += target.Weight;
            clusters.Add(target.Cluster!);
            bounds.Add(total);
        }

        var key = SplitKey.TryParse(route.SplitKey, out var parsed) ? parsed : null;
        var overrides = (route.SplitOverrides ?? []).Select(o => o.Cookie is { } cookie
            ? new SplitOverride(true, cookie, o.Value, o.Cluster)
            : new SplitOverride(false, o.Header!, o.Value, o.Cluster)).ToList();
        return new RouteSplit(clusters, bounds, key, overrides);
    }
}
