using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>The freshness lifetime of RFC 9111 §4.2.1 and the heuristic of §4.2.2.</summary>
public static class FreshnessLifetime
{
    /// <summary>
    /// The first rule that applies: <c>s-maxage</c> (shared cache), <c>max-age</c>, Expires minus Date (Date
    /// absent or invalid: the time of receipt), then a heuristic. Directives come from a targeted field when one was
    /// selected, in which case Expires is ignored (RFC 9213 §2.2). An invalid Expires, such as "0", means already
    /// expired (§5.3 MUST); several different Expires lines are stale too (§4.2.1). The heuristic is only used
    /// without explicit expiration (§4.2.2 MUST NOT otherwise), for heuristically cacheable status codes or
    /// <c>public</c> responses: <see cref="CachePolicy.HeuristicFraction"/> of (Date − Last-Modified), at most
    /// <see cref="CachePolicy.HeuristicMaxLifetime"/>; without a usable Last-Modified it is 0.
    /// </summary>
    public static (TimeSpan Lifetime, FreshnessSource Source) Calculate(
        int statusCode,
        IHeaderDictionary responseHeaders,
        ResponseCacheControl response,
        DateTimeOffset responseTime,
        CachePolicy policy)
    {
        if (response.SharedMaxAge is { } sharedMaxAge)
        {
            return (sharedMaxAge, FreshnessSource.SharedMaxAge);
        }
        if (response.MaxAge is { } maxAge)
        {
            return (maxAge, FreshnessSource.MaxAge);
        }

        var date = HttpDate.DateOr(responseHeaders[HeaderNames.Date], responseTime);
        var expiresField = responseHeaders[HeaderNames.Expires];
        if (response.TargetedField is null && expiresField.Count > 0)
        {
            var lifetime = HttpDate.TryParse(expiresField, responseTime, out var expires) ? expires - date : TimeSpan.Zero;
            return (Clamp(lifetime, DeltaSeconds.Infinity), FreshnessSource.Expires);
        }

        if ((response.Public || StatusCodeCaching.IsHeuristicallyCacheable(statusCode)) && policy.HeuristicFraction > 0
            && HttpDate.TryParse(responseHeaders[HeaderNames.LastModified], responseTime, out var lastModified)
            && lastModified < date)
        {
            var heuristic = TimeSpan.FromSeconds(Math.Floor((date - lastModified).TotalSeconds * policy.HeuristicFraction));
            return (Clamp(heuristic, policy.HeuristicMaxLifetime), FreshnessSource.Heuristic);
        }
        return (TimeSpan.Zero, FreshnessSource.None);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan max) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;
}
