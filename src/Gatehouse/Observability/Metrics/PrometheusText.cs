using System.Globalization;
using System.Text;

namespace Gatehouse.Observability.Metrics;

/// <summary>The Prometheus text exposition format 0.0.4: HELP and TYPE for each metric, then its samples.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<InstrumentSnapshot> instruments)
    {
        var text = new StringBuilder(16 * 1024);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instrument in instruments)
        {
            var name = PrometheusNames.Metric(instrument.Instrument.Name, instrument.Instrument.Unit, instrument.Kind);
            // Two instruments that map to one name (the same instrument from two meter versions) would be one metric twice.
            if (!written.Add(name))
            {
                continue;
            }

            var help = string.IsNullOrWhiteSpace(instrument.Instrument.Description) ? instrument.Instrument.Name : instrument.Instrument.Description;
            text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(instrument.Kind switch
            {
                MetricKind.Counter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var series in instrument.Series)
            {
                if (instrument.Kind == MetricKind.Histogram)
                {
                    WriteHistogram(text, name, instrument.Bounds, series);
                }
                else
                {
                    Sample(text, name, series.Tags, null, series.Value);
                }
            }
        }

        return text.ToString();
    }

    private static void WriteHistogram(StringBuilder text, string name, double[] bounds, SeriesSnapshot series)
    {
        long cumulative = 0;
        for (var i = 0; i < series.Buckets.Length; i++)
        {
            cumulative += series.Buckets[i];
            Sample(text, name + "_bucket", series.Tags, i < bounds.Length ? Number(bounds[i]) : "+Inf", cumulative);
        }

        Sample(text, name + "_sum", series.Tags, null, series.Value);
        Sample(text, name + "_count", series.Tags, null, series.Count);
    }

    private static void Sample(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, object?>> tags, string? le, double value)
    {
        text.Append(name);
        if (tags.Count > 0 || le is not null)
        {
            text.Append('{');
            var first = true;
            foreach (var (key, tagValue) in tags)
            {
                if (!first)
                {
                    text.Append(',');
                }

                first = false;
                text.Append(PrometheusNames.Label(key)).Append("=\"").Append(EscapeLabel(Format(tagValue))).Append('"');
            }

            if (le is not null)
            {
                text.Append(first ? "" : ",").Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
