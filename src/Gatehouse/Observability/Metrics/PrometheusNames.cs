using System.Text;

namespace Gatehouse.Observability.Metrics;

/// <summary>
/// OpenTelemetry names as Prometheus spells them (OpenTelemetry's compatibility rules): dots become underscores, the
/// unit becomes a suffix (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; annotations such as
/// <c>{request}</c> add none), counters end in <c>_total</c>, and a gauge that would end like a histogram sample
/// (<c>_count</c>) ends in <c>_value</c>. So <c>http.server.request.duration</c> in seconds is
/// <c>http_server_request_duration_seconds</c>.
/// </summary>
public static class PrometheusNames
{
    public static string Metric(string name, string? unit, MetricKind kind)
    {
        var text = Sanitize(name, allowColon: true);
        var suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            "1" when kind == MetricKind.Gauge => "_ratio",
            _ => "",
        };
        if (suffix.Length > 0 && !text.EndsWith(suffix, StringComparison.Ordinal))
        {
            text += suffix;
        }

        if (kind == MetricKind.Counter && !text.EndsWith("_total", StringComparison.Ordinal))
        {
            text += "_total";
        }
        else if (kind == MetricKind.Gauge && (text.EndsWith("_count", StringComparison.Ordinal) || text.EndsWith("_sum", StringComparison.Ordinal) || text.EndsWith("_bucket", StringComparison.Ordinal)))
        {
            // Those endings belong to histogram samples (promtool flags them): dotnet.thread_pool.thread.count is
            // dotnet_thread_pool_thread_count_value.
            text += "_value";
        }

        return text;
    }

    public static string Label(string name) => Sanitize(name, allowColon: false);

    /// <summary>Anything but letters, digits and underscores (and colons in metric names) becomes an underscore; a leading digit gets one in front.</summary>
    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            text.Append('_');
        }

        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        return text.ToString();
    }
}
