using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>Validation of stored responses with the origin: RFC 9111 §4.3.1, §4.3.4, §4.3.5.</summary>
public static class Revalidation
{
    /// <summary>
    /// The preconditions to add to a forwarded request that validates a stored response (§4.3.1): If-None-Match with
    /// its ETag (MUST when it has one) and If-Modified-Since with its Last-Modified (SHOULD for one stored response
    /// and a request that is not for a subrange). Values are copied as received. Empty when it has no validator.
    /// </summary>
    public static IHeaderDictionary ConditionalHeaders(IHeaderDictionary storedHeaders)
    {
        var headers = new HeaderDictionary();
        if (storedHeaders.TryGetValue(HeaderNames.ETag, out var etag) && etag.Count > 0)
        {
            headers[HeaderNames.IfNoneMatch] = etag;
        }
        if (storedHeaders.TryGetValue(HeaderNames.LastModified, out var lastModified) && lastModified.Count > 0)
        {
            headers[HeaderNames.IfModifiedSince] = lastModified;
        }
        return headers;
    }

    /// <summary>
    /// Which of the stored responses that could have been chosen for the request a 304 updates (§4.3.4), as indices
    /// into <paramref name="candidates"/>. The first rule that applies:
    /// <list type="number">
    /// <item>the 304 has a strong ETag: every candidate with that strong ETag; if none has it, none (MUST NOT update);</item>
    /// <item>it has only weak validators (a weak ETag, Last-Modified): the most recent candidate (by Date, else time of
    /// receipt) that matches one of them by weak comparison or equal Last-Modified;</item>
    /// <item>it has no validator: the only candidate, if there is one and it has no validator either.</item>
    /// </list>
    /// Last-Modified is treated as weak: §8.8.2.2 of RFC 9110 rarely lets a cache deduce it is strong.
    /// </summary>
    public static IReadOnlyList<int> SelectForUpdate(IHeaderDictionary notModifiedHeaders, IReadOnlyList<StoredCandidate> candidates)
    {
        var hasTag = EntityTag.TryParseSingle(notModifiedHeaders[HeaderNames.ETag], out var tag);
        var lastModified = notModifiedHeaders[HeaderNames.LastModified];
        var indices = Enumerable.Range(0, candidates.Count);

        if (hasTag && !tag.IsWeak)
        {
            return indices.Where(i => StoredTag(candidates[i]) is { } stored && stored.StrongEquals(tag)).ToList();
        }
        if (hasTag || lastModified.Count > 0)
        {
            var matching = indices.Where(i =>
                (hasTag && StoredTag(candidates[i]) is { } stored && stored.WeakEquals(tag))
                || SameDate(lastModified, candidates[i].Headers[HeaderNames.LastModified], candidates[i].ResponseTime));
            return matching.OrderByDescending(i => Recency(candidates[i])).Take(1).ToList();
        }
        if (candidates.Count == 1 && !HasValidator(candidates[0].Headers))
        {
            return [0];
        }
        return [];
    }

    /// <summary>
    /// §4.3.5: a 200 response to a HEAD request updates a stored GET response when every validator it carries (ETag,
    /// Last-Modified) matches the stored one and its Content-Length, if any, equals the stored one; otherwise the stored
    /// response is to be considered stale.
    /// </summary>
    public static HeadFreshening EvaluateHead(IHeaderDictionary storedHeaders, IHeaderDictionary headResponseHeaders)
    {
        foreach (var name in new[] { HeaderNames.ETag, HeaderNames.ContentLength })
        {
            var received = Trimmed(headResponseHeaders[name]);
            if (received is not null && received != Trimmed(storedHeaders[name]))
            {
                return HeadFreshening.MarkStale;
            }
        }
        var lastModified = headResponseHeaders[HeaderNames.LastModified];
        // The reference only resolves two-digit years, the same way on both sides.
        if (lastModified.Count > 0 && !SameDate(lastModified, storedHeaders[HeaderNames.LastModified], DateTimeOffset.UnixEpoch))
        {
            return HeadFreshening.MarkStale;
        }
        return HeadFreshening.Update;
    }

    private static EntityTag? StoredTag(StoredCandidate candidate) =>
        EntityTag.TryParseSingle(candidate.Headers[HeaderNames.ETag], out var tag) ? tag : null;

    private static bool HasValidator(IHeaderDictionary headers) =>
        headers.ContainsKey(HeaderNames.ETag) || headers.ContainsKey(HeaderNames.LastModified);

    private static DateTimeOffset Recency(StoredCandidate candidate) =>
        HttpDate.DateOr(candidate.Headers[HeaderNames.Date], candidate.ResponseTime);

    /// <summary>Two Last-Modified fields name the same instant (formats may differ); a field that does not parse matches nothing.</summary>
    private static bool SameDate(StringValues a, StringValues b, DateTimeOffset reference) =>
        HttpDate.TryParse(a, reference, out var first) && HttpDate.TryParse(b, reference, out var second) && first == second;

    private static string? Trimmed(StringValues field) =>
        field.Count == 0 ? null : string.Join(", ", field.Select(v => v?.Trim())).Trim();
}
