using System.Diagnostics.Metrics;
using Gatehouse.Http;

namespace Gatehouse.Observability;

/// <summary>
/// <c>gatehouse.access_log.lost_lines</c>: access log lines never written, by <c>reason</c>: <c>queue_full</c> (the sink
/// fell 65,536 lines behind) or <c>write_failed</c> (the write that held them failed, e.g. a full disk).
/// </summary>
internal static class AccessLogTelemetry
{
    public static void Register(IMeterFactory meters, AccessLogWriter writer)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        meter.CreateObservableCounter("gatehouse.access_log.lost_lines", () => new[]
        {
            new Measurement<long>(writer.Dropped, new KeyValuePair<string, object?>("reason", "queue_full")),
            new Measurement<long>(writer.Lost, new KeyValuePair<string, object?>("reason", "write_failed")),
        }, "{line}", "Access log lines never written: queue_full (the sink fell behind) or write_failed (a failed write, e.g. a full disk).");
    }
}
