// Times one edge measurement (a 3-label duration histogram, the labels drawn from 4 routes x 2 methods x 3 status
// classes) on every core at once, under: no listener; Gatehouse's MetricsCollector; the OpenTelemetry SDK's
// aggregation (what its Prometheus exporter serves from); prometheus-net's own histogram. Rounds alternate.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gatehouse.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

const int PerThread = 2_000_000;
string[] routes = ["api", "web", "static", "admin"];
string[] methods = ["GET", "POST"];
int[] statuses = [200, 404, 503];

double Run(Action<int, int> record)
{
    var threads = Environment.ProcessorCount;
    var watch = Stopwatch.StartNew();
    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
    {
        for (var i = 0; i < PerThread; i++)
        {
            record(t, i);
        }
    });
    // CPU nanoseconds per measurement: wall time x threads / measurements.
    return watch.Elapsed.TotalNanoseconds * threads / (PerThread * (double)threads);
}

IMeterFactory Factory() => new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

// One instrument for all; only one candidate listens at a time (the OpenTelemetry SDK picks meters by name, so it
// would otherwise aggregate every other candidate's runs too).
var factory = Factory();
var metrics = new RequestMetrics(factory);
void Edge(int t, int i) => metrics.Record(routes[i & 3], methods[(i >> 2) & 1], statuses[i % 3], 0.001 * (i & 63));

var registry = Prometheus.Metrics.NewCustomRegistry();
var histogram = Prometheus.Metrics.WithCustomRegistry(registry).CreateHistogram("http_server_request_duration_seconds", "edge",
    new Prometheus.HistogramConfiguration { LabelNames = ["route", "method", "status_class"], Buckets = RequestMetrics.DurationBounds });

var gatehouseRequests = 0L;
var candidates = new List<(string Name, Func<IDisposable?> Listen, Action<int, int> Record)>
{
    ("no listener", () => null, Edge),
    ("Gatehouse MetricsCollector", () => new CollectorRun(new MetricsCollector(factory), r => gatehouseRequests += r), Edge),
    ("OpenTelemetry SDK 1.21", () => Sdk.CreateMeterProviderBuilder().AddMeter(Gatehouse.Http.GatehouseTelemetry.MeterName)
        .AddReader(new BaseExportingMetricReader(new NoExport())).Build(), Edge),
    ("prometheus-net 8.2.1", () => null, (t, i) => histogram.WithLabels(routes[i & 3], methods[(i >> 2) & 1], Gatehouse.Http.GatehouseTelemetry.StatusClass(statuses[i % 3])).Observe(0.001 * (i & 63))),
};

var results = candidates.ToDictionary(c => c.Name, _ => new List<double>());
for (var round = 0; round < 7; round++)
{
    foreach (var (name, listen, record) in round % 2 == 0 ? candidates : Enumerable.Reverse(candidates))
    {
        var listener = listen();
        var ns = Run(record);
        if (listener is MeterProvider provider)
        {
            provider.ForceFlush();
        }

        listener?.Dispose();
        if (round > 0)
        {
            results[name].Add(ns); // round 0 warms the JIT up
        }
    }
}

Console.WriteLine($"{Environment.ProcessorCount} threads, {PerThread:N0} measurements each, median of 6 rounds (CPU ns per measurement):");
foreach (var (name, values) in results)
{
    values.Sort();
    Console.WriteLine($"  {name,-28} {(values[2] + values[3]) / 2,8:F1} ns   (min {values[0]:F1}, max {values[^1]:F1})");
}

// Proof that each listener aggregated what it was given (one that ignored the meter would cost nothing): 7 rounds each.
Console.WriteLine($"  check: OpenTelemetry exported {NoExport.Count:N0} measurements, Gatehouse's collector held {gatehouseRequests:N0}");

internal sealed class CollectorRun(MetricsCollector collector, Action<long> report) : IDisposable
{
    public void Dispose()
    {
        report(collector.RouteTraffic().Sum(r => r.Requests));
        collector.Dispose();
    }
}

internal sealed class NoExport : BaseExporter<Metric>
{
    public static int Points { get; private set; }

    public static long Count { get; private set; }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                Points++;
                Count += point.GetHistogramCount();
            }
        }

        return ExportResult.Success;
    }
}
