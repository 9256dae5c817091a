using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Observability.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gatehouse.Observability;

/// <summary>
/// OTLP/HTTP (protobuf) export through the OpenTelemetry SDK: spans when tracing is on, metrics when <c>metrics.otlp</c>
/// is set. Built at start-up; disposing flushes what is left. Neither is built otherwise, so nothing listens and
/// nothing is paid for.
/// </summary>
internal sealed class OtlpExport : IDisposable
{
    private readonly TracerProvider? _traces;
    private readonly MeterProvider? _metrics;

    public OtlpExport(GatehouseConfig config)
    {
        var resource = ResourceBuilder.CreateEmpty().AddService("gatehouse", serviceVersion: typeof(OtlpExport).Assembly.GetName().Version?.ToString());
        if (config.Tracing is { Enabled: true, Otlp: { } traceTarget })
        {
            _traces = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(GatehouseTelemetry.MeterName)
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(config.Tracing.SampleRatio)))
                .AddOtlpExporter(o => Target(o, traceTarget, "v1/traces"))
                .Build();
        }

        if (config.Metrics is { Enabled: true, Otlp: { } metricTarget })
        {
            _metrics = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter(GatehouseTelemetry.MeterName, MetricsSources.RuntimeMeter, MetricsSources.KestrelMeter)
                // Kestrel's per-request instruments stay off, as they do for /metrics.
                .AddView(i => i.Meter.Name == MetricsSources.KestrelMeter && !MetricsSources.KestrelInstruments.Contains(i.Name) ? MetricStreamConfiguration.Drop : null)
                .AddOtlpExporter((o, reader) =>
                {
                    Target(o, metricTarget, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)(metricTarget.Interval.Value ?? TimeSpan.FromSeconds(15)).TotalMilliseconds;
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                })
                .Build();
        }
    }

    private static void Target(OtlpExporterOptions options, OtlpDefinition target, string signalPath)
    {
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Endpoint = new Uri(target.Endpoint!.TrimEnd('/') + "/" + signalPath);
        if (target.Headers.Count > 0)
        {
            options.Headers = string.Join(',', target.Headers.Select(h => $"{h.Key}={Uri.EscapeDataString(h.Value)}"));
        }
    }

    public void Dispose()
    {
        _traces?.Dispose();
        _metrics?.Dispose();
    }
}
