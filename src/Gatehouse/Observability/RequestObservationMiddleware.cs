using System.Diagnostics;
using Gatehouse.Http;
using Gatehouse.Observability.Metrics;
using Gatehouse.Observability.Tracing;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Observability;

/// <summary>
/// Times every request on the proxy listeners for <c>http.server.request.duration</c> and, when tracing is on, runs it
/// inside the request's span (the upstream attempts' spans are its children, see Forwarding). One async step for both;
/// it is left out of the pipeline when metrics and tracing are both off.
/// </summary>
internal sealed class RequestObservationMiddleware(RequestDelegate next, RequestMetrics? metrics = null, CacheMetrics? cache = null)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = RequestSpans.Start(context);
        try
        {
            await next(context);
        }
        finally
        {
            var route = RouteRuntime.Of(context)?.RouteId ?? GatehouseTelemetry.NoRoute;
            var status = context.Response.StatusCode;
            metrics?.Record(route, context.Request.Method, status, Stopwatch.GetElapsedTime(started).TotalSeconds);
            var cacheStatus = context.Response.Headers.TryGetValue("Cache-Status", out var field) ? field.ToString() : null;
            cache?.Record(route, cacheStatus);
            if (span is not null)
            {
                RequestSpans.Complete(span, context, route, status, cacheStatus);
            }
        }
    }
}
