using System.Collections.Frozen;
using Gatehouse.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Protection;

/// <summary>
/// Just after routing: enforces the matched route's request body limit (413 at once when Content-Length says too much;
/// Kestrel cuts a chunked body off when it grows past it) and body timeout (<see cref="BodyTimeout"/>), and answers requests that matched no route with 421 (or 404)
/// when no route declares their host. Settings follow reloads: they are rebuilt when the config instance changes.
/// </summary>
internal sealed class RouteLimitsMiddleware(RequestDelegate next, RuntimeSettingsHolder settings, ConfigSource source, TimeProvider time)
{
    // Kestrel holds the top-level body limit from start-up; the early 413 uses the same value.
    private readonly long _globalMaxBody = source.Initial.Limits.MaxRequestBodyBytes.Value ?? long.MaxValue;

    private volatile Snapshot? _snapshot;

    public Task InvokeAsync(HttpContext context)
    {
        var snapshot = Current();
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            var host = context.Request.Host;
            return snapshot.Hosts.IsKnown(host.Host, host.Port) ? next(context) : StrictHttpMiddleware.RejectAsync(context, snapshot.UnknownHostStatus, closeConnection: false);
        }

        var limit = _globalMaxBody;
        var routeLimits = RouteLimits.None;
        if (snapshot.Routes.Count != 0 && endpoint.Metadata.GetMetadata<RouteModel>() is { } route)
        {
            snapshot.Routes.TryGetValue(route.Config.RouteId, out routeLimits);
        }

        if (routeLimits.MaxBody is { } routeMax)
        {
            limit = routeMax;
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = routeMax;
            }
        }

        if (context.Request.ContentLength > limit)
        {
            return StrictHttpMiddleware.RejectAsync(context, StatusCodes.Status413PayloadTooLarge, closeConnection: true);
        }

        if (routeLimits.BodyTimeout is { } timeout && HasBody(context.Request))
        {
            return WithBodyTimeoutAsync(context, timeout);
        }

        return next(context);
    }

    private static bool HasBody(HttpRequest request) => request.ContentLength > 0 || request.Headers.TransferEncoding.Count != 0;

    private async Task WithBodyTimeoutAsync(HttpContext context, TimeSpan timeout)
    {
        using var _ = BodyTimeout.Start(context, timeout, time);
        await next(context);
    }

    private Snapshot Current()
    {
        var config = settings.Current.Config;
        var snapshot = _snapshot;
        if (snapshot is null || !ReferenceEquals(snapshot.Config, config))
        {
            snapshot = Snapshot.From(config);
            _snapshot = snapshot;
        }

        return snapshot;
    }

    private readonly record struct RouteLimits(long? MaxBody, TimeSpan? BodyTimeout)
    {
        public static RouteLimits None => default;
    }

    private sealed record Snapshot(GatehouseConfig Config, KnownHosts Hosts, int UnknownHostStatus, FrozenDictionary<string, RouteLimits> Routes)
    {
        public static Snapshot From(GatehouseConfig config)
        {
            var routes = new Dictionary<string, RouteLimits>(StringComparer.OrdinalIgnoreCase);
            foreach (var (id, route) in config.Routes)
            {
                if (route?.Limits is { } limits && (limits.MaxRequestBodyBytes is not null || limits.RequestBodyTimeout is not null))
                {
                    routes[id] = new RouteLimits(limits.MaxRequestBodyBytes?.Value, limits.RequestBodyTimeout?.Value);
                }
            }

            return new Snapshot(config, KnownHosts.From(config), config.Http.UnknownHostStatus, routes.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
        }
    }
}
