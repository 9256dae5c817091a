using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Protection;

/// <summary>
/// Just after routing: enforces the matched route's request body limit (413 at once when Content-Length says too much;
/// Kestrel cuts a chunked body off when it grows past it) and body timeout (<see cref="BodyTimeout"/>), and answers requests that matched no route with 421 (or 404)
/// when no route declares their host. Settings follow reloads: a route's are read from the <see cref="RouteRuntime"/> on its endpoint (the generation
/// that defined the route); an endpoint without one is refused with 503.
/// </summary>
internal sealed class RouteLimitsMiddleware(RequestDelegate next, GenerationHolder settings, ConfigSource source, TimeProvider time)
{
    // Kestrel holds the top-level body limit from start-up; the early 413 uses the same value.
    private readonly long _globalMaxBody = source.Initial.Limits.MaxRequestBodyBytes.Value ?? long.MaxValue;

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            var limits = settings.Current.RouteLimits();
            var host = context.Request.Host;
            return limits.Hosts.IsKnown(host.Host, host.Port) ? next(context) : ErrorPages.RefuseAsync(context, limits.UnknownHostStatus, closeConnection: false);
        }

        // A route endpoint without its generation's settings (a reload raced past it) is refused, never served with
        // other settings than its own.
        if (endpoint.Metadata.GetMetadata<RouteRuntime>() is not { } runtime)
        {
            return endpoint.Metadata.GetMetadata<RouteModel>() is null ? next(context) : RefuseWithoutGenerationAsync(context);
        }

        var rawPathRoutes = runtime.Generation.RouteLimits().RawPathRoutes;
        if (rawPathRoutes.Count != 0 && rawPathRoutes.Contains(runtime.RouteId) && !RawPathTransform.CanForwardRawPath(context))
        {
            // The backend would get a path whose slashes or dot segments Gatehouse resolved differently for routing.
            return ErrorPages.RefuseAsync(context, StatusCodes.Status400BadRequest, closeConnection: true);
        }

        var limit = _globalMaxBody;
        var routeLimits = runtime.Get<RouteBodyLimits>();
        if (routeLimits?.MaxBody is { } routeMax)
        {
            limit = routeMax;
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = routeMax;
            }
        }

        if (context.Request.ContentLength > limit)
        {
            return ErrorPages.RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, closeConnection: true);
        }

        if (!HasBody(context.Request))
        {
            return next(context);
        }

        var bufferLimit = routeLimits?.BodyBuffer ?? runtime.Generation.RouteLimits().BodyBuffer;
        var buffering = RequestBodyBufferingDecision.Decide(bufferLimit, hasBody: true, context.Request.ContentLength, context.Request.ContentType, IsStream(context));
        if (buffering != BodyBuffering.None || routeLimits?.BodyTimeout is not null)
        {
            return GuardBodyAsync(context, routeLimits?.BodyTimeout, buffering, bufferLimit);
        }

        return next(context);
    }

    /// <summary>
    /// The answer to a request whose route endpoint carries no generation (a reload raced past it): 503 with
    /// <c>Retry-After: 1</c>, never the route served with other settings. Also ProtectionMiddleware's, should one reach it.
    /// </summary>
    internal static Task RefuseWithoutGenerationAsync(HttpContext context)
    {
        // WriteRefusalAsync keeps the headers set before it (WriteAsync would clear Retry-After).
        context.Response.Headers.RetryAfter = "1";
        return ErrorPages.WriteRefusalAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorPages.Text(StatusCodes.Status503ServiceUnavailable));
    }

    /// <summary>A body on HTTP/1.1 has a length or is chunked; on HTTP/2 and HTTP/3 Kestrel knows whether one can follow.</summary>
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0
        || request.Headers.TransferEncoding.Count != 0
        || (request.ContentLength is null && !HttpProtocol.IsHttp11(request.Protocol) && !HttpProtocol.IsHttp10(request.Protocol)
            && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    /// <summary>An upgrade (WebSocket) or an HTTP/2 extended CONNECT: a two-way stream, never held back.</summary>
    private static bool IsStream(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    private async Task GuardBodyAsync(HttpContext context, TimeSpan? timeout, BodyBuffering buffering, long bufferLimit)
    {
        using var clock = timeout is { } limit ? BodyTimeout.Start(context, limit, time) : null;
        if (buffering != BodyBuffering.None && !await RequestBodyBuffer.FillAsync(context, buffering, bufferLimit))
        {
            return;
        }

        await next(context);
    }
}
