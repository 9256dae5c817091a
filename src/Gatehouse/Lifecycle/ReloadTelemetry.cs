using System.Diagnostics.Metrics;
using Gatehouse.Http;

namespace Gatehouse.Lifecycle;

/// <summary>Config reloads by outcome (<c>applied</c> or <c>rejected</c>) and the revision in force.</summary>
internal sealed class ReloadTelemetry
{
    public ReloadTelemetry(IMeterFactory meters, ConfigReloader reloader)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        var reloads = meter.CreateCounter<long>("gatehouse.config.reloads", "{reload}",
            "Config reloads (file change, SIGHUP, admin API) by outcome: applied, or rejected (the last good config keeps serving).");
        meter.CreateObservableGauge("gatehouse.config.generation", () => reloader.Revision, "{generation}", "The config revision in force.");
        reloader.Reloaded += outcome => reloads.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Applied ? "applied" : "rejected"));
    }
}
