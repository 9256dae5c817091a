using System.Diagnostics.Metrics;
using Gatehouse.Http;

namespace Gatehouse.Observability.Metrics;

/// <summary>
/// The edge's instrument: every request Gatehouse answered on a proxy listener, by route, method and status class, as
/// OpenTelemetry's HTTP convention names it (<c>http.server.request.duration</c>, exposed as
/// <c>http_server_request_duration_seconds</c>; its <c>_count</c> is the request count).
/// </summary>
public sealed class RequestMetrics
{
    public const string DurationName = "http.server.request.duration";

    /// <summary>The HTTP conventions' advice for request durations, in seconds.</summary>
    public static readonly double[] DurationBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly Histogram<double> _duration;

    public RequestMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        _duration = meter.CreateHistogram(DurationName, "s", "Requests answered at the edge and how long each took, by route, method and status class.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBounds });
    }

    public void Record(string route, string method, int status, double seconds)
    {
        if (_duration.Enabled)
        {
            _duration.Record(seconds,
                new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("method", GatehouseTelemetry.MethodClass(method)),
                new KeyValuePair<string, object?>("status_class", GatehouseTelemetry.StatusClass(status)));
        }
    }
}
