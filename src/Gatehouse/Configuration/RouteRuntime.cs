using Gatehouse.Protection;

namespace Gatehouse.Configuration;

/// <summary>
/// One route as one config generation resolved it. Attached to the route's endpoint when YARP builds it (see
/// <see cref="RuntimeSettingsHolder.Attach"/>), so a request that matched the route reads the route's protection, limits,
/// cache and cluster settings from the very generation that defined the match: a reload can never pair a route with
/// another generation's (weaker) settings. A proxy endpoint without one is refused with 503 (docs/configuration.md, "Reloads").
/// </summary>
public sealed class RouteRuntime
{
    private RouteRuntime(RuntimeSettings generation, string routeId, RouteProtection protection, RouteRuntimeSettings settings, RouteBodyLimits limits)
    {
        Generation = generation;
        RouteId = routeId;
        Protection = protection;
        Settings = settings;
        Limits = limits;
    }

    /// <summary>The whole generation the route belongs to (its clusters, backend hiding, trusted proxies).</summary>
    public RuntimeSettings Generation { get; }

    public string RouteId { get; }

    public RouteProtection Protection { get; }

    public RouteRuntimeSettings Settings { get; }

    public RouteBodyLimits Limits { get; }

    /// <summary>The route's settings in <paramref name="generation"/>; null when that generation has no such route.</summary>
    public static RouteRuntime? From(RuntimeSettings generation, string routeId)
    {
        if (!generation.Routes.TryGetValue(routeId, out var settings) || !generation.Protection.Routes.TryGetValue(routeId, out var protection))
        {
            return null;
        }

        generation.RouteLimits.Routes.TryGetValue(routeId, out var limits);
        return new RouteRuntime(generation, routeId, protection, settings, limits);
    }

    /// <summary>The matched route's runtime; null before routing, when no route matched, or for an endpoint built without one.</summary>
    public static RouteRuntime? Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RouteRuntime>();

    /// <summary>The settings of <paramref name="clusterId"/> in this route's generation.</summary>
    public ClusterRuntimeSettings Cluster(string clusterId) =>
        Generation.Clusters.TryGetValue(clusterId, out var cluster) ? cluster : ClusterRuntimeSettings.Default;
}
