using System.Diagnostics;
using Gatehouse.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Observability.Tracing;

/// <summary>
/// The server span of a request (OpenTelemetry's HTTP conventions). It continues the trace of a <c>traceparent</c> the
/// client sent (so a trace crosses Gatehouse), and is published as the request's <see cref="IHttpActivityFeature"/>
/// so that the access log, which runs outside it, can write its trace id.
/// </summary>
internal static class RequestSpans
{
    public static Activity? Start(HttpContext context)
    {
        var source = GatehouseTelemetry.Tracing;
        if (!source.HasListeners())
        {
            return null;
        }

        var headers = context.Request.Headers;
        ActivityContext.TryParse(headers.TraceParent.ToString(), headers.TraceState.ToString(), isRemote: true, out var parent);
        var span = source.StartActivity(ActivityKind.Server, parent, name: context.Request.Method);
        if (span is not null)
        {
            context.Features.Set<IHttpActivityFeature>(new HttpActivityFeature(span));
            if (span.IsAllDataRequested)
            {
                span.SetTag("http.request.method", GatehouseTelemetry.MethodClass(context.Request.Method));
                span.SetTag("url.scheme", context.Request.Scheme);
                span.SetTag("url.path", context.Request.Path.Value);
                span.SetTag("network.protocol.version", context.Request.Protocol);
                span.SetTag("gatehouse.request_id", RequestIds.Of(context));
            }
        }

        return span;
    }

    public static void Complete(Activity span, HttpContext context, string route, int status, string? cacheStatus)
    {
        if (!span.IsAllDataRequested)
        {
            return;
        }

        span.DisplayName = route == GatehouseTelemetry.NoRoute ? GatehouseTelemetry.MethodClass(context.Request.Method) : $"{GatehouseTelemetry.MethodClass(context.Request.Method)} {route}";
        span.SetTag("http.route", route);
        span.SetTag("http.response.status_code", status);
        if (cacheStatus is not null)
        {
            span.SetTag("gatehouse.cache_status", cacheStatus);
        }
        if (status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error);
            span.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private sealed class HttpActivityFeature(Activity activity) : IHttpActivityFeature
    {
        public Activity Activity { get; set; } = activity;
    }
}
