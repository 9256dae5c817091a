using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Gatehouse.Observability.Metrics;

/// <summary>How an instrument is exposed: Prometheus's counter, gauge or histogram.</summary>
public enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// The series of one instrument, each keeping its running value. Recording finds the series by the measurement's tags
/// (one hash lookup, no allocation once the series exists) and updates it with interlocked operations, so requests on
/// every thread record without a lock.
/// </summary>
internal sealed class InstrumentAggregate
{
    /// <summary>OpenTelemetry's default boundaries (seconds or any unit), used when an instrument gives no advice.</summary>
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly ConcurrentDictionary<SeriesKey, Series> _series = new(SeriesKeyComparer.Instance);
    private readonly ConcurrentDictionary<SeriesKey, Series>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;

    public InstrumentAggregate(Instrument instrument, double[]? bounds)
    {
        Instrument = instrument;
        Kind = instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => MetricKind.Counter,
            Histogram<long> or Histogram<int> or Histogram<double> => MetricKind.Histogram,
            _ => MetricKind.Gauge,
        };
        // Observable instruments report their current value at each scrape; the others report changes.
        IsObservable = instrument.IsObservable;
        Cumulative = !IsObservable && instrument is not Gauge<long> and not Gauge<int> and not Gauge<double>;
        Bounds = Kind == MetricKind.Histogram ? bounds ?? DefaultBounds : [];
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public Instrument Instrument { get; }

    public MetricKind Kind { get; }

    public bool IsObservable { get; }

    /// <summary>Measurements are added up (counters, up-down counters, histograms) rather than replacing the value.</summary>
    public bool Cumulative { get; }

    public double[] Bounds { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_lookup.TryGetValue(tags, out var series))
        {
            // First measurement of this label set (rare): the key is built once; a racing thread's series wins.
            series = _series.GetOrAdd(new SeriesKey(tags), new Series(Bounds.Length));
        }

        if (Kind == MetricKind.Histogram)
        {
            series.Observe(value, Bounds);
        }
        else if (Cumulative)
        {
            series.Add(value);
        }
        else
        {
            series.Set(value);
        }
    }

    /// <summary>Before observable instruments report again: a series that no longer exists (a removed destination) must go.</summary>
    public void ClearObserved()
    {
        if (IsObservable)
        {
            _series.Clear();
        }
    }

    public IEnumerable<KeyValuePair<SeriesKey, Series>> Series => _series;
}

/// <summary>One series: a value (counter or gauge), or a histogram's buckets, sum and count.</summary>
internal sealed class Series(int bounds)
{
    private readonly long[] _buckets = bounds == 0 ? [] : new long[bounds + 1];
    private double _value;

    public double Value => Volatile.Read(ref _value);

    /// <summary>A histogram's count: the sum of its buckets (one atomic add fewer per measurement than a count of its own).</summary>
    public long Count => _buckets.Sum();

    /// <summary>Per bucket (not cumulative); the last one counts values above every bound.</summary>
    public long[] Buckets => [.. _buckets];

    public void Add(double amount)
    {
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _value, current + amount, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }

    public void Set(double value) => Volatile.Write(ref _value, value);

    public void Observe(double value, double[] bounds)
    {
        // Prometheus buckets are "less than or equal": the first bound not below the value.
        var index = Array.BinarySearch(bounds, value);
        Interlocked.Increment(ref _buckets[index >= 0 ? index : ~index]);
        Add(value);
    }
}
