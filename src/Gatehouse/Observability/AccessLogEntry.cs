using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Observability;

/// <summary>One request as the access log sees it.</summary>
public readonly record struct AccessLogEntry(
    DateTimeOffset Time,
    string? RemoteAddress,
    string Method,
    string Target,
    string Protocol,
    int Status,
    long BytesSent,
    double DurationMs,
    string? Referer,
    string? UserAgent,
    string? Host,
    string? Route,
    string? Cluster,
    string? Destination,
    int Attempts);

/// <summary>Formats log lines. Pure functions, so the formats are tested without a server.</summary>
public static class AccessLogFormatter
{
    /// <summary>The nginx/Apache "combined" format: <c>$remote_addr - - [$time_local] "$request" $status $bytes "$referer" "$user_agent"</c>.</summary>
    public static string Combined(in AccessLogEntry e)
    {
        var sb = new StringBuilder(160);
        sb.Append(e.RemoteAddress ?? "-").Append(" - - [")
          .Append(e.Time.ToString("dd/MMM/yyyy:HH:mm:ss ", CultureInfo.InvariantCulture))
          .Append(e.Time.Offset < TimeSpan.Zero ? '-' : '+')
          .Append(e.Time.Offset.ToString("hhmm", CultureInfo.InvariantCulture)).Append("] \"");
        AppendEscaped(sb, e.Method);
        sb.Append(' ');
        AppendEscaped(sb, e.Target);
        sb.Append(' ');
        AppendEscaped(sb, e.Protocol);
        sb.Append("\" ").Append(e.Status.ToString(CultureInfo.InvariantCulture)).Append(' ')
          .Append(e.BytesSent.ToString(CultureInfo.InvariantCulture)).Append(" \"");
        AppendEscaped(sb, string.IsNullOrEmpty(e.Referer) ? "-" : e.Referer);
        sb.Append("\" \"");
        AppendEscaped(sb, string.IsNullOrEmpty(e.UserAgent) ? "-" : e.UserAgent);
        sb.Append('"');
        return sb.ToString();
    }

    public static string Json(in AccessLogEntry e)
    {
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", e.Time);
            w.WriteString("remote_addr", e.RemoteAddress);
            w.WriteString("method", e.Method);
            w.WriteString("uri", e.Target);
            w.WriteString("protocol", e.Protocol);
            w.WriteString("host", e.Host);
            w.WriteNumber("status", e.Status);
            w.WriteNumber("bytes_sent", e.BytesSent);
            w.WriteNumber("duration_ms", Math.Round(e.DurationMs, 3));
            w.WriteString("referer", e.Referer);
            w.WriteString("user_agent", e.UserAgent);
            w.WriteString("route", e.Route);
            w.WriteString("cluster", e.Cluster);
            w.WriteString("destination", e.Destination);
            w.WriteNumber("attempts", e.Attempts);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>As nginx does: quotes, backslashes and control or non-ASCII characters become \xHH so a line can't be forged.</summary>
    private static void AppendEscaped(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            if (c is '"' or '\\' || c < 0x20 || c >= 0x7f)
            {
                if (c > 0xff)
                {
                    foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                    {
                        sb.Append("\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
                    }
                }
                else
                {
                    sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                sb.Append(c);
            }
        }
    }
}
