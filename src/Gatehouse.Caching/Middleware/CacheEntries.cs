using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Middleware;

/// <summary>Builds the entries the cache stores: from a full response (§3), or from a stored one and a 304 or HEAD (§3.2, §4.3.4).</summary>
internal static class CacheEntries
{
    private static readonly char[] TagSeparators = [',', ' ', '\t'];

    /// <summary>An entry for a complete response received between <paramref name="requestTime"/> and <paramref name="responseTime"/>.</summary>
    public static CachedResponse Create(
        CacheRequest request,
        string varyKey,
        int statusCode,
        IHeaderDictionary responseHeaders,
        ResponseCacheControl directives,
        ReadOnlyMemory<byte> body,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime)
    {
        var stored = StoredHeaders.Select(responseHeaders, directives);
        return new CachedResponse
        {
            Key = request.KeyText,
            Target = request.Key.Target,
            VaryKey = varyKey,
            StatusCode = statusCode,
            Headers = CachedResponse.FreezeHeaders(stored),
            Body = body,
            Freshness = Freshness.Calculate(statusCode, stored, directives, requestTime, responseTime, request.Settings.Policy),
            Tags = Tags(request.Settings.TagHeader, stored),
        };
    }

    /// <summary>
    /// <paramref name="stored"/> updated with the fields of a 304 or HEAD response (§3.2), its freshness recalculated
    /// with the times of that exchange (§4.3.4).
    /// </summary>
    public static CachedResponse Freshen(
        CachedResponse stored,
        IHeaderDictionary newer,
        HttpCacheRouteSettings settings,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime)
    {
        var targeted = settings.Policy.TargetedFieldNames;
        var merged = StoredHeaders.Update(new StoredHeaderView(stored.Headers), newer, targeted);
        var directives = ResponseCacheControl.FromResponse(merged, targeted);
        return stored with
        {
            Headers = CachedResponse.FreezeHeaders(merged),
            Freshness = Freshness.Calculate(stored.StatusCode, merged, directives, requestTime, responseTime, settings.Policy),
            Tags = Tags(settings.TagHeader, merged),
        };
    }

    /// <summary>The purge tags: the members of the route's tag field, split on commas and whitespace.</summary>
    private static IReadOnlyList<string> Tags(string? tagHeader, IHeaderDictionary headers)
    {
        if (tagHeader is null || !headers.TryGetValue(tagHeader, out var field) || StringValues.IsNullOrEmpty(field))
        {
            return [];
        }
        var tags = new List<string>();
        foreach (var line in field)
        {
            foreach (var tag in (line ?? "").Split(TagSeparators, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!tags.Contains(tag))
                {
                    tags.Add(tag);
                }
            }
        }
        return tags;
    }
}
