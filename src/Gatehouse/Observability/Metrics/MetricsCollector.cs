using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gatehouse.Http;

namespace Gatehouse.Observability.Metrics;

/// <summary>
/// Listens to this host's instruments and keeps their running values for <c>GET /metrics</c> and for in-process
/// readers (<see cref="RouteTraffic"/>). It takes Gatehouse's meter and Kestrel's connection and TLS instruments only
/// when they come from this host's <see cref="IMeterFactory"/> (another server in the same process has its own), and
/// the .NET runtime's meter, which is one per process.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private readonly IMeterFactory _factory;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentAggregate> _aggregates = new();
    private readonly Lock _scrape = new();

    public MetricsCollector(IMeterFactory factory)
    {
        _factory = factory;
        _listener.InstrumentPublished = Publish;
        _listener.MeasurementsCompleted = (instrument, _) => _aggregates.TryRemove(instrument, out InstrumentAggregate? _);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Every instrument's series as they stand now (observable instruments are asked for their values first).</summary>
    public IReadOnlyList<InstrumentSnapshot> Collect()
    {
        lock (_scrape)
        {
            foreach (var aggregate in _aggregates.Values)
            {
                aggregate.ClearObserved();
            }

            _listener.RecordObservableInstruments();
            return [.. _aggregates.Values
                .Select(a => new InstrumentSnapshot(a.Instrument, a.Kind, a.Bounds,
                    [.. a.Series.Select(s => new SeriesSnapshot(s.Key.Tags, s.Value.Value, s.Value.Count, s.Value.Buckets))]))
                .OrderBy(s => s.Instrument.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Requests per route as the edge counted them (<c>http.server.request.duration</c>), for a dashboard in the same process.</summary>
    public IReadOnlyList<RouteTraffic> RouteTraffic() =>
        _aggregates.Values.FirstOrDefault(a => a.Instrument.Name == RequestMetrics.DurationName && a.Instrument.Meter.Name == GatehouseTelemetry.MeterName) is { } aggregate
            ? Metrics.RouteTraffic.From(aggregate)
            : [];

    private void Publish(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        var wanted = (meter.Name == GatehouseTelemetry.MeterName && ReferenceEquals(meter.Scope, _factory))
            || (meter.Name == MetricsSources.KestrelMeter && ReferenceEquals(meter.Scope, _factory) && MetricsSources.KestrelInstruments.Contains(instrument.Name))
            || meter.Name == MetricsSources.RuntimeMeter;
        if (!wanted)
        {
            return;
        }

        var aggregate = _aggregates.GetOrAdd(instrument, i => new InstrumentAggregate(i, HistogramBounds(i)));
        listener.EnableMeasurementEvents(instrument, aggregate);
    }

    private static double[]? HistogramBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };

    public void Dispose() => _listener.Dispose();
}

public sealed record InstrumentSnapshot(Instrument Instrument, MetricKind Kind, double[] Bounds, IReadOnlyList<SeriesSnapshot> Series);

/// <summary>One series: its labels, its value (a counter's total, a gauge's value, a histogram's sum), and for a histogram the count and per-bucket counts.</summary>
public sealed record SeriesSnapshot(IReadOnlyList<KeyValuePair<string, object?>> Tags, double Value, long Count, long[] Buckets);
