namespace Gatehouse.Runtime;

/// <summary>
/// One route as one config generation compiled it. Attached to the route's endpoint when YARP builds it (see
/// <see cref="GenerationHolder.Attach"/>), so a request that matched the route reads the route's protection, limits,
/// cache and forwarding settings, and its cluster's, from the very generation that defined the match: a reload can never
/// pair a route with another generation's (weaker) settings. A proxy endpoint without one is refused with 503
/// (docs/configuration.md, "Reloading").
/// </summary>
public sealed class RouteRuntime
{
    internal RouteRuntime(Generation generation, string routeId, FeatureSet features)
    {
        Generation = generation;
        RouteId = routeId;
        Features = features;
    }

    /// <summary>The whole generation the route belongs to (its clusters, backend hiding, trusted proxies).</summary>
    public Generation Generation { get; }

    public string RouteId { get; }

    public FeatureSet Features { get; }

    /// <summary>The route's <typeparamref name="T"/>; null when the route has none (e.g. no cache section).</summary>
    public T? Get<T>()
        where T : class => Features.Get<T>();

    /// <summary>The matched route's runtime; null before routing, when no route matched, or for an endpoint built without one.</summary>
    public static RouteRuntime? Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RouteRuntime>();
}
