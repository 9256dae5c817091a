using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Runtime;

/// <summary>
/// The generation in force, and the recent ones by revision. Request-time readers after routing use the
/// <see cref="RouteRuntime"/> on their endpoint (or <see cref="For"/>), never <see cref="Current"/>: YARP swaps its
/// endpoints a moment after a generation is published, so for that moment the two differ, and a request must read the
/// generation its route came from.
/// </summary>
public sealed class GenerationHolder
{
    /// <summary>Route metadata naming the generation a YARP route was mapped from.</summary>
    public const string GenerationMetadata = "Gatehouse.Generation";

    // Generations whose routes YARP may still be building endpoints for. Reloads are applied one at a time and YARP
    // builds endpoints as it applies each, so a handful is plenty; an endpoint whose generation is gone gets no
    // RouteRuntime and its requests are refused (503), never served with other settings.
    private const int KeptGenerations = 8;

    private readonly Lock _gate = new();
    private readonly Queue<Generation> _recent = new();
    private volatile Generation _current = Generation.Empty;

    public Generation Current => _current;

    /// <summary>
    /// Raised once a generation is fully applied (routes included): for state that lives outside requests and follows
    /// the config, such as the certificate list.
    /// </summary>
    public event Action<Generation>? Applied;

    /// <summary>Makes <paramref name="next"/> the generation in force, and findable by its revision for endpoint building.</summary>
    public void Swap(Generation next)
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

    /// <summary>Tells <see cref="Applied"/>'s subscribers that <paramref name="generation"/> is in force, routes included.</summary>
    public void AnnounceApplied(Generation generation) => Applied?.Invoke(generation);

    /// <summary>
    /// The generation a request reads: its matched route's (see <see cref="RouteRuntime"/>), or the one in force for a
    /// request no route matched (yet).
    /// </summary>
    public Generation For(HttpContext context) => RouteRuntime.Of(context)?.Generation ?? _current;

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
                    return generation.Routes.GetValueOrDefault(route.RouteId);
                }
            }
        }

        return null;
    }
}
