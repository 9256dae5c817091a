using System.Globalization;
using System.Text;
using System.Text.Json;
using Gatehouse.Configuration;

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
    int Attempts,
    string? RequestId = null,
    string? CacheStatus = null,
    double? UpstreamMs = null,
    string? TraceId = null);

/// <summary>The status a log line shows.</summary>
public static class AccessLogStatus
{
    /// <summary>nginx's "client closed request": not sent by anyone, only logged.</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>
    /// 499 when the client went away (HTTP/2 RST_STREAM, a closed connection) before the response was complete, whatever
    /// status was set by then (the 200 of a response cut short, or the 400/502 a failed read or forward left behind).
    /// </summary>
    public static int Of(int status, bool clientAborted) => clientAborted ? ClientClosedRequest : status;
}

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
        if (e.TraceId is not null)
        {
            // Only with tracing on, after nginx's fields (so parsers of the combined format keep working): both ids are
            // hex or the request id's safe characters, so they need no quoting.
            sb.Append(" trace_id=").Append(e.TraceId).Append(" request_id=").Append(e.RequestId ?? "-");
        }

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
            w.WriteString("cache", e.CacheStatus);
            if (e.UpstreamMs is { } upstream)
            {
                w.WriteNumber("upstream_ms", Math.Round(upstream, 3));
            }
            else
            {
                w.WriteNull("upstream_ms");
            }

            w.WriteNumber("attempts", e.Attempts);
            w.WriteString("request_id", e.RequestId);
            if (e.TraceId is not null)
            {
                w.WriteString("trace_id", e.TraceId);
            }
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>As nginx does: quotes, backslashes and control or non-ASCII characters become \xHH so a line can't be forged.</summary>
    private static void AppendEscaped(StringBuilder sb, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        // By rune, so that every non-ASCII character is written as its UTF-8 bytes, as nginx logs them: é is \xC3\xA9
        // (not \xE9) and a character outside the BMP is one 4-byte sequence (not two replacement characters).
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value == '"' || rune.Value == '\\' || rune.Value < 0x20 || rune.Value >= 0x7f)
            {
                foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
                {
                    sb.Append("\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                sb.Append((char)rune.Value);
            }
        }
    }
}
