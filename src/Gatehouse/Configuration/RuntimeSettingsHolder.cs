using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Configuration;

/// <summary>
/// The settings in force, and the recent generations by revision. Request-time readers after routing use the
/// <see cref="RouteRuntime"/> on their endpoint, never <see cref="Current"/>: YARP swaps its endpoints after Gatehouse
/// publishes a generation, so for a moment the two differ, and a request must read the generation its route came from.
/// </summary>
public sealed class RuntimeSettingsHolder
{
    /// <summary>Route metadata naming the generation a YARP route was mapped from.</summary>
    public const string GenerationMetadata = "Gatehouse.Generation";

    // Generations whose routes YARP may still be building endpoints for. Reloads are applied one at a time and YARP
    // builds endpoints as it applies each, so a handful is plenty; an endpoint whose generation is gone gets no
    // RouteRuntime and its requests are refused (503), never served with other settings.
    private const int KeptGenerations = 8;

    private readonly Lock _gate = new();
    private readonly Queue<RuntimeSettings> _recent = new();
    private volatile RuntimeSettings _current = RuntimeSettings.Empty;

    public RuntimeSettings Current => _current;

    /// <summary>Makes <paramref name="next"/> the settings in force, and findable by its revision for endpoint building.</summary>
    public void Swap(RuntimeSettings next)
    {
        lock (_gate)
        {
            _recent.Enqueue(next);
            while (_recent.Count > KeptGenerations)
            {
                _recent.Dequeue();
            }

            _current = next;
        }
    }

    /// <summary>
    /// The generation a request reads: its matched route's (see <see cref="RouteRuntime"/>), or the settings in force
    /// for a request no route matched (yet).
    /// </summary>
    public RuntimeSettings For(HttpContext context) => RouteRuntime.Of(context)?.Generation ?? _current;

    public ClusterRuntimeSettings Cluster(string clusterId) =>
        _current.Clusters.TryGetValue(clusterId, out var settings) ? settings : ClusterRuntimeSettings.Default;

    public RouteRuntimeSettings? Route(string routeId) =>
        _current.Routes.TryGetValue(routeId, out var settings) ? settings : null;

    /// <summary>
    /// The runtime of a YARP route, from the generation its metadata names; null when the route carries no generation
    /// or that generation is no longer kept. Called as YARP builds the route's endpoint.
    /// </summary>
    public RouteRuntime? Attach(RouteConfig route)
    {
        if (route.Metadata is null || !route.Metadata.TryGetValue(GenerationMetadata, out var text)
            || !int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var revision))
        {
            return null;
        }

        lock (_gate)
        {
            foreach (var generation in _recent)
            {
                if (generation.Revision == revision)
                {
                    return RouteRuntime.From(generation, route.RouteId);
                }
            }
        }

        return null;
    }
}
