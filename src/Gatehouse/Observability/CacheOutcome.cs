using Microsoft.Extensions.Primitives;

namespace Gatehouse.Observability;

/// <summary>
/// The access log's one-word account of what Gatehouse's HTTP cache did with a request, read from the member it added to
/// the response's Cache-Status field (RFC 9211), so that the log needs nothing from the cache but what the client sees.
/// </summary>
public static class CacheOutcome
{
    /// <summary>
    /// <c>hit</c> (fresh from the cache), <c>stale</c> (served stale: stale-while-revalidate or stale-if-error),
    /// <c>revalidated</c> (stale, confirmed by a 304), <c>expired</c> (stale, replaced from the origin), <c>miss</c>,
    /// <c>bypass</c> (the request or method is not for the cache); null when the cache did not handle the request.
    /// </summary>
    public static string? FromCacheStatus(StringValues field, string cacheName)
    {
        // Members go from the origin towards the client: this cache's member is the last one, and must carry its name.
        var member = LastMember(field);
        if (member is null || !member.StartsWith(cacheName, StringComparison.OrdinalIgnoreCase)
            || (member.Length > cacheName.Length && member[cacheName.Length] != ';'))
        {
            return null;
        }

        var parameters = member[cacheName.Length..].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string? forward = null, forwardStatus = null, ttl = null;
        var hit = false;
        foreach (var parameter in parameters)
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (parameter, null) : (parameter[..equals], parameter[(equals + 1)..]);
            switch (name)
            {
                case "hit": hit = true; break;
                case "fwd": forward = value; break;
                case "fwd-status": forwardStatus = value; break;
                case "ttl": ttl = value; break;
            }

            // key and detail come last (CacheStatus.ToString) and may hold any text: nothing after them is read.
            if (name is "key" or "detail")
            {
                break;
            }
        }

        return forward switch
        {
            null when hit => ttl is not null && ttl.StartsWith('-') ? "stale" : "hit",
            null => null,
            "stale" => forwardStatus == "304" ? "revalidated" : "expired",
            "uri-miss" or "vary-miss" or "miss" => "miss",
            _ => "bypass",
        };
    }

    /// <summary>This cache appends its member as a field line of its own (CacheStatusField), so it is the last value whole.</summary>
    private static string? LastMember(StringValues field) => field.Count == 0 ? null : field[^1]?.Trim();
}
