using Gatehouse.Configuration;

namespace Gatehouse.TrafficShaping;

/// <summary>A route's mirror, compiled: the shadow cluster, the share copied, and the bounds on what copies may hold.</summary>
public sealed record RouteMirror(string Cluster, double Percent, long MaxBodyBytes, int MaxConcurrent, TimeSpan Timeout)
{
    public static RouteMirror? From(RouteDefinition route) => route.Mirror is { } mirror
        ? new RouteMirror(mirror.Cluster!, mirror.Percent, mirror.MaxBodyBytes.Value ?? 0, mirror.MaxConcurrent, mirror.Timeout.Value ?? TimeSpan.FromSeconds(5))
        : null;

    /// <summary>Whether this request is one of the share copied; <paramref name="draw"/> is uniform in [0, 1).</summary>
    public bool Samples(double draw) => Percent >= 100 || draw * 100 < Percent;
}

/// <summary>
/// What a route's split and mirror compile to, the one settings type of traffic shaping a route carries. A route with
/// neither has none, and the shaping step costs it one look-up.
/// </summary>
public sealed record RouteShaping(RouteSplit? Split, RouteMirror? Mirror)
{
    public static RouteShaping? From(RouteDefinition route) =>
        RouteSplit.From(route) is var split && RouteMirror.From(route) is var mirror && (split is not null || mirror is not null)
            ? new RouteShaping(split, mirror)
            : null;
}
