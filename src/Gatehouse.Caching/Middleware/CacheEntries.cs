using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

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
        IReadOnlyList<ContentPart>? parts = null;
        if (statusCode == StatusCodes.Status206PartialContent && PartialContent.TryParseContentRange(stored[HeaderNames.ContentRange], out var part))
        {
            // A part (§3.3): its range lives in Parts, and each answer made from the entry states its own.
            parts = [part];
            stored.Remove(HeaderNames.ContentRange);
            stored.Remove(HeaderNames.ContentLength);
        }
        return new CachedResponse
        {
            Key = request.KeyText,
            Target = request.Key.Target,
            VaryKey = varyKey,
            StatusCode = statusCode,
            Headers = CachedResponse.FreezeHeaders(stored),
            Body = body,
            Parts = parts,
            Freshness = Freshness.Calculate(statusCode, stored, directives, requestTime, responseTime, request.Settings.Policy),
            Tags = Tags(request.Settings.TagHeader, stored),
        };
    }

    /// <summary>
    /// What to store for a part just received (<paramref name="received"/>, a partial entry of one part, with its
    /// <paramref name="bytes"/>) given the variant stored now (<paramref name="current"/>), per RFC 9111 §3.4: combined
    /// with stored parts of the same representation (same strong validator and complete length), its header fields
    /// then updated from the newest response as §3.2 says, and its freshness that of the newest exchange; otherwise
    /// on its own, replacing parts of another representation. Parts that make the whole become a complete 200 entry.
    /// Null when nothing should be stored: the body is not the range it claims, or a complete response of the same
    /// representation is stored already.
    /// </summary>
    public static CachedResponse? CombinePart(
        CachedResponse? current,
        CachedResponse received,
        ReadOnlyMemory<byte> bytes,
        HttpCacheRouteSettings settings,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime)
    {
        var part = received.Parts![0];
        if (bytes.Length != part.Length)
        {
            return null;
        }
        var currentHeaders = current is null ? null : new StoredHeaderView(current.Headers);
        var receivedHeaders = new StoredHeaderView(received.Headers);
        if (current is { IsPartial: false } && current.StatusCode == StatusCodes.Status200OK
            && PartialContent.SameStrongValidator(currentHeaders!, receivedHeaders))
        {
            return null;
        }
        var sparse = SparseBody.Of(part, bytes);
        IHeaderDictionary headers = receivedHeaders;
        if (current is { IsPartial: true } && PartialContent.CanCombine(currentHeaders!, current.Parts![0], receivedHeaders, part))
        {
            sparse = current.SparseBody.Add(part, bytes);
            headers = StoredHeaders.Update(currentHeaders!, receivedHeaders, settings.Policy.TargetedFieldNames);
        }
        var statusCode = StatusCodes.Status206PartialContent;
        if (sparse.IsComplete)
        {
            // The whole representation: stored as the 200 the origin would have sent, with its length (which a HEAD
            // response is compared against, §4.3.5).
            statusCode = StatusCodes.Status200OK;
            var whole = new HeaderDictionary();
            foreach (var (name, value) in headers)
            {
                whole[name] = value;
            }
            whole.ContentLength = sparse.Bytes.Length;
            headers = whole;
        }
        var directives = ResponseCacheControl.FromResponse(headers, settings.Policy.TargetedFieldNames);
        return received with
        {
            StatusCode = statusCode,
            Headers = ReferenceEquals(headers, receivedHeaders) ? received.Headers : CachedResponse.FreezeHeaders(headers),
            Body = sparse.Bytes,
            Parts = sparse.IsComplete ? null : sparse.Parts,
            Freshness = Freshness.Calculate(statusCode, headers, directives, requestTime, responseTime, settings.Policy),
            Tags = Tags(settings.TagHeader, headers),
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
