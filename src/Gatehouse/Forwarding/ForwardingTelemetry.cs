using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gatehouse.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>
/// What the attempt loop reports: each upstream attempt's duration and outcome by cluster and destination
/// (<c>gatehouse.upstream.request.duration</c>), retries and the retry budget's refusals, and, when tracing is on, a
/// client span per attempt, whose id goes to the backend as <c>traceparent</c> (in place of any the client sent).
/// </summary>
internal sealed class ForwardingTelemetry
{
    public const string AttemptDurationName = "gatehouse.upstream.request.duration";

    private readonly Histogram<double> _attempts;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _budgetRefusals;

    public ForwardingTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        _attempts = meter.CreateHistogram(AttemptDurationName, "s",
            "Upstream attempts and how long each took until the response head (or the failure), by cluster, destination, outcome and status class.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _retries = meter.CreateCounter<long>("gatehouse.upstream.retries", "{retry}", "Attempts sent again to another destination, by cluster.");
        _budgetRefusals = meter.CreateCounter<long>("gatehouse.upstream.retry_budget.refusals", "{retry}",
            "Retries that the failure allowed but the cluster's retry budget refused, by cluster.");
    }

    /// <summary>
    /// The attempt's span, null when tracing is off. Its context is written into the request's <c>traceparent</c> (and
    /// <c>tracestate</c>), which YARP copies to the backend: the HTTP client's own propagation is off
    /// (Hosting/GatehouseHttpClientFactory), as it would name a span of its own that no one exports.
    /// </summary>
    public static Activity? StartAttempt(HttpContext context, int attempt, string cluster)
    {
        var span = GatehouseTelemetry.Tracing.StartActivity("attempt", ActivityKind.Client);
        if (span is null)
        {
            return null;
        }

        var headers = context.Request.Headers;
        headers.TraceParent = span.Id;
        if (string.IsNullOrEmpty(span.TraceStateString))
        {
            headers.Remove("tracestate");
        }
        else
        {
            headers.TraceState = span.TraceStateString;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag("gatehouse.attempt", attempt);
            span.SetTag("gatehouse.cluster", cluster);
        }

        return span;
    }

    /// <summary>
    /// The attempt's outcome as a fixed word: <c>response</c>, <c>retryable_status</c> (held back for a retry),
    /// <c>route_timeout</c>, <c>client_aborted</c>, or YARP's <see cref="ForwarderError"/> name.
    /// </summary>
    public static string Outcome(HttpContext context, ForwardingState state)
    {
        if (state.RejectedStatus is not null)
        {
            return "retryable_status";
        }

        if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.None } error)
        {
            return ForwarderErrors.IsClientSide(error.Error) ? "client_aborted" : error.Error.ToString();
        }

        return state.TimeoutFired ? "route_timeout" : "response";
    }

    public void AttemptEnded(Activity? span, string cluster, string? destination, string? address, string outcome, int status, double seconds, bool retrying)
    {
        destination ??= GatehouseTelemetry.NoRoute;
        if (_attempts.Enabled)
        {
            _attempts.Record(seconds,
                new KeyValuePair<string, object?>("cluster", cluster),
                new KeyValuePair<string, object?>("destination", destination),
                new KeyValuePair<string, object?>("outcome", outcome),
                new KeyValuePair<string, object?>("status_class", GatehouseTelemetry.StatusClass(status)));
        }

        if (retrying)
        {
            _retries.Add(1, new KeyValuePair<string, object?>("cluster", cluster));
        }

        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.DisplayName = $"attempt {cluster}/{destination}";
            span.SetTag("gatehouse.destination", destination);
            span.SetTag("server.address", address);
            span.SetTag("gatehouse.outcome", outcome);
            span.SetTag("gatehouse.retrying", retrying);
            span.SetTag("http.response.status_code", status);
            if (outcome != "response")
            {
                span.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }

        span.Dispose();
    }

    public void BudgetRefused(string cluster) => _budgetRefusals.Add(1, new KeyValuePair<string, object?>("cluster", cluster));
}
