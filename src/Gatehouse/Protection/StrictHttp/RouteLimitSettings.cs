using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.Protection;

/// <summary>
/// What <see cref="RouteLimitsMiddleware"/> enforces, compiled once per config generation (Lifecycle/GenerationCompiler):
/// the hosts the routes declare, the status for a host none declares, and the body limit and body timeout of each route
/// that sets one (routes without are left out, so a config without route limits costs no look-up), and the routes that
/// forward the client's raw path (empty unless some route sets forwardRawPath).
/// </summary>
public sealed record RouteLimitSettings(KnownHosts Hosts, int UnknownHostStatus, FrozenDictionary<string, RouteBodyLimits> Routes)
{
    /// <summary>The request body buffer of routes that set none (<c>limits.requestBodyBufferBytes</c>); 0: bodies stream.</summary>
    public long BodyBuffer { get; init; }

    /// <summary>The ids of the routes with forwardRawPath.</summary>
    public FrozenSet<string> RawPathRoutes { get; init; } = FrozenSet<string>.Empty;

    public static RouteLimitSettings Empty { get; } = From(new GatehouseConfig());

    public static RouteLimitSettings From(GatehouseConfig config)
    {
        var routes = new Dictionary<string, RouteBodyLimits>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, route) in config.Routes)
        {
            if (route?.Limits is { } limits && (limits.MaxRequestBodyBytes is not null || limits.RequestBodyTimeout is not null || limits.RequestBodyBufferBytes is not null))
            {
                routes[id] = new RouteBodyLimits(limits.MaxRequestBodyBytes?.Value, limits.RequestBodyTimeout?.Value, limits.RequestBodyBufferBytes?.Value);
            }
        }

        return new RouteLimitSettings(KnownHosts.From(config), config.Http.UnknownHostStatus, routes.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase))
        {
            BodyBuffer = config.Limits.RequestBodyBufferBytes.Value ?? 0,
            RawPathRoutes = config.Routes.Where(r => r.Value?.ForwardRawPath == true).Select(r => r.Key).ToFrozenSet(StringComparer.OrdinalIgnoreCase),
        };
    }
}

/// <summary>A route's own body limit, body timeout and body buffer; null where the route sets none.</summary>
public sealed record RouteBodyLimits(long? MaxBody, TimeSpan? BodyTimeout, long? BodyBuffer = null);
