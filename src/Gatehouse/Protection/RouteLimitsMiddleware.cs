using Gatehouse.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Protection;

/// <summary>
/// Just after routing: enforces the matched route's request body limit (413 at once when Content-Length says too much;
/// Kestrel cuts a chunked body off when it grows past it) and body timeout (<see cref="BodyTimeout"/>), and answers requests that matched no route with 421 (or 404)
/// when no route declares their host. Settings follow reloads: they are read from <see cref="RuntimeSettings.RouteLimits"/>,
/// resolved once per config.
/// </summary>
internal sealed class RouteLimitsMiddleware(RequestDelegate next, RuntimeSettingsHolder settings, ConfigSource source, TimeProvider time)
{
    // Kestrel holds the top-level body limit from start-up; the early 413 uses the same value.
    private readonly long _globalMaxBody = source.Initial.Limits.MaxRequestBodyBytes.Value ?? long.MaxValue;

    public Task InvokeAsync(HttpContext context)
    {
        var limits = settings.Current.RouteLimits;
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            var host = context.Request.Host;
            return limits.Hosts.IsKnown(host.Host, host.Port) ? next(context) : StrictHttpMiddleware.RejectAsync(context, limits.UnknownHostStatus, closeConnection: false);
        }

        var limit = _globalMaxBody;
        var routeLimits = default(RouteBodyLimits);
        if ((limits.Routes.Count != 0 || limits.RawPathRoutes.Count != 0) && endpoint.Metadata.GetMetadata<RouteModel>() is { } route)
        {
            limits.Routes.TryGetValue(route.Config.RouteId, out routeLimits);
            if (limits.RawPathRoutes.Contains(route.Config.RouteId) && !RawPathTransform.CanForwardRawPath(context))
            {
                // The backend would get a path whose slashes or dot segments Gatehouse resolved differently for routing.
                return StrictHttpMiddleware.RejectAsync(context, StatusCodes.Status400BadRequest, closeConnection: true);
            }
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
}
