using System.Globalization;
using System.Text;

namespace Gatehouse.Caching;

/// <summary>
/// One member of the Cache-Status field (RFC 9211 §2): this cache's account of how it handled a request, e.g.
/// <c>Gatehouse; hit; ttl=376</c> or <c>Gatehouse; fwd=uri-miss; fwd-status=200; stored</c>. Append it after any
/// member already in the response: members go from the origin towards the client.
/// </summary>
public sealed record CacheStatus(string CacheName)
{
    /// <summary><c>hit</c>: answered from the cache without going forward. Ignored when <see cref="Forward"/> is set (the two exclude each other).</summary>
    public bool Hit { get; init; }

    /// <summary><c>fwd</c>: why the request went forward.</summary>
    public CacheForwardReason? Forward { get; init; }

    /// <summary><c>fwd-status</c>: the status the next hop answered.</summary>
    public int? ForwardStatus { get; init; }

    /// <summary><c>ttl</c>: remaining freshness, negative when stale; sent in whole seconds.</summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary><c>stored</c>: the response was stored.</summary>
    public bool Stored { get; init; }

    /// <summary>
    /// <c>collapsed</c> (§2.6): true when the request was collapsed with another request's forward and its response
    /// reused; false (<c>collapsed=?0</c>) when collapsing was tried but a new request had to be made; null: not sent.
    /// </summary>
    public bool? Collapsed { get; init; }

    /// <summary><c>key</c>: the cache key (for debugging; it can reveal request fields).</summary>
    public string? Key { get; init; }

    /// <summary><c>detail</c>: implementation-specific detail, sent as a Token when it is one, else as a String.</summary>
    public string? Detail { get; init; }

    /// <summary>The member as a Structured Field list member (RFC 8941 §4.1).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        AppendTokenOrString(text, CacheName);
        if (Forward is { } forward)
        {
            text.Append("; fwd=").Append(ForwardToken(forward));
        }
        else if (Hit)
        {
            text.Append("; hit");
        }
        if (ForwardStatus is { } status)
        {
            text.Append("; fwd-status=").Append(status.ToString(CultureInfo.InvariantCulture));
        }
        if (Stored)
        {
            text.Append("; stored");
        }
        if (Collapsed is { } collapsed)
        {
            text.Append(collapsed ? "; collapsed" : "; collapsed=?0");
        }
        if (TimeToLive is { } ttl)
        {
            var seconds = (long)Math.Floor(ttl.TotalSeconds);
            text.Append("; ttl=").Append(Math.Clamp(seconds, -999_999_999_999_999, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture));
        }
        if (Key is not null)
        {
            text.Append("; key=");
            AppendString(text, Key);
        }
        if (Detail is not null)
        {
            text.Append("; detail=");
            AppendTokenOrString(text, Detail);
        }
        return text.ToString();
    }

    private static string ForwardToken(CacheForwardReason reason) => reason switch
    {
        CacheForwardReason.Bypass => "bypass",
        CacheForwardReason.Method => "method",
        CacheForwardReason.UriMiss => "uri-miss",
        CacheForwardReason.VaryMiss => "vary-miss",
        CacheForwardReason.Miss => "miss",
        CacheForwardReason.Request => "request",
        CacheForwardReason.Stale => "stale",
        CacheForwardReason.Partial => "partial",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    /// <summary>An sf-token (RFC 8941 §3.3.4) when the text is one, else an sf-string.</summary>
    private static void AppendTokenOrString(StringBuilder text, string value)
    {
        if (IsStructuredToken(value))
        {
            text.Append(value);
        }
        else
        {
            AppendString(text, value);
        }
    }

    private static bool IsStructuredToken(string value) =>
        value.Length > 0 && (char.IsAsciiLetter(value[0]) || value[0] == '*')
        && value.All(c => HttpToken.IsTokenChar(c) || c is ':' or '/');

    /// <summary>
    /// An sf-string (RFC 8941 §3.3.3): quotes and backslashes escaped. It can only hold printable ASCII, so any other
    /// character is sent percent-encoded (as UTF-8), which keeps the field valid.
    /// </summary>
    private static void AppendString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in PrintableAscii.Escape(value, keepSpace: true))
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }
            text.Append(c);
        }
        text.Append('"');
    }
}
