using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>Whether a shared cache may store a response: RFC 9111 §3, §3.3, §3.5.</summary>
public static class Storability
{
    /// <summary>
    /// Applies §3 in order. Only GET responses are stored: a HEAD response has no content to serve a later GET with,
    /// so HEAD requests are answered from stored GET responses and HEAD responses only freshen them (§4.3.5).
    /// </summary>
    /// <param name="method">The request method.</param>
    /// <param name="requestHeaders">The request headers (for Authorization).</param>
    /// <param name="request">The request's directives.</param>
    /// <param name="statusCode">The response status code.</param>
    /// <param name="responseHeaders">The response headers (for Expires and Vary).</param>
    /// <param name="response">The response's directives, from <see cref="ResponseCacheControl.FromResponse"/>.</param>
    public static StorabilityDecision Evaluate(
        string method,
        IHeaderDictionary requestHeaders,
        RequestCacheControl request,
        int statusCode,
        IHeaderDictionary responseHeaders,
        ResponseCacheControl response)
    {
        // §3: "the request method is understood by the cache" — we store GET only (see above).
        if (!HttpMethods.IsGet(method))
        {
            return new(NotStorableReason.Method);
        }
        // §3: "the response status code is final".
        if (statusCode < 200)
        {
            return new(NotStorableReason.StatusNotFinal);
        }
        // §3: "if the response status code is 206 or 304, or the must-understand cache directive is present: the
        // cache understands the response status code". A 206 is understood only as a part of a representation, which
        // PartialContent.EvaluateStorability decides before it asks here as for a 200.
        if (statusCode is 206 or 304 || (response.MustUnderstand && !StatusCodeCaching.IsUnderstood(statusCode)))
        {
            return new(NotStorableReason.StatusNotUnderstood);
        }
        // §5.2.1.5: a cache MUST NOT store any part of a request with no-store or of any response to it.
        if (request.NoStore)
        {
            return new(NotStorableReason.RequestNoStore);
        }
        // §3: "the no-store cache directive is not present in the response"; §5.2.2.3: a cache that understands the
        // status code SHOULD ignore no-store when must-understand is present.
        if (response.NoStore && !response.MustUnderstand)
        {
            return new(NotStorableReason.ResponseNoStore);
        }
        // §3, §5.2.2.7: a shared cache MUST NOT store a response with unqualified private. (Qualified private only
        // drops the named fields, see StoredHeaders.)
        if (response.Private)
        {
            return new(NotStorableReason.Private);
        }
        // §3.5: a response to a request with Authorization needs must-revalidate, public or s-maxage.
        if (requestHeaders.ContainsKey(HeaderNames.Authorization)
            && !(response.Public || response.MustRevalidate || response.SharedMaxAge is not null))
        {
            return new(NotStorableReason.Authorization);
        }
        // §4.1: a stored response with Vary: * always fails to match.
        if (VaryKey.VariesOnEverything(responseHeaders[HeaderNames.Vary]))
        {
            return new(NotStorableReason.VaryAll);
        }
        // A choice of this cache, as nginx's proxy_cache, Varnish's built-in VCL and Fastly make it: a response that sets a
        // cookie is not stored, since it would hand one client's cookie (a session, a CSRF token) to every client after
        // it. RFC 9111 §7.3 lets a cache store it; the origin that means it to be shared names the field in no-cache="…"
        // or private="…", and the response is then stored without it (StoredHeaders).
        if (SetsCookie(responseHeaders, response))
        {
            return new(NotStorableReason.SetCookie);
        }
        // §3: the response contains public, Expires, max-age, s-maxage, or a heuristically cacheable status code.
        // Expires does not count under a targeted field, which makes the cache ignore it (RFC 9213 §2.2).
        var hasExpires = response.TargetedField is null && responseHeaders.ContainsKey(HeaderNames.Expires);
        if (!(response.Public || hasExpires || response.MaxAge is not null || response.SharedMaxAge is not null
            || StatusCodeCaching.IsHeuristicallyCacheable(statusCode)))
        {
            return new(NotStorableReason.NoFreshnessInformation);
        }
        return StorabilityDecision.Storable;
    }

    private static bool SetsCookie(IHeaderDictionary responseHeaders, ResponseCacheControl response) =>
        responseHeaders.ContainsKey(HeaderNames.SetCookie)
        && !response.NoCacheFields.Contains(HeaderNames.SetCookie, StringComparer.OrdinalIgnoreCase)
        && !response.PrivateFields.Contains(HeaderNames.SetCookie, StringComparer.OrdinalIgnoreCase);

    /// <summary>RFC 9110 §15.1: 200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501.</summary>
    public static bool IsHeuristicallyCacheable(int statusCode) => StatusCodeCaching.IsHeuristicallyCacheable(statusCode);

    /// <summary>
    /// Whether a received body is the whole response (RFC 9111 §3.3: an incomplete response MUST NOT be stored as
    /// complete). False when Content-Length is present and differs from what arrived, or is invalid. Without
    /// Content-Length the framing decides, which only the caller knows: a chunked body that ended without its last
    /// chunk, or a connection that closed early, is incomplete whatever this returns.
    /// </summary>
    public static bool IsComplete(IHeaderDictionary responseHeaders, long receivedBodyLength)
    {
        var field = responseHeaders[HeaderNames.ContentLength];
        if (field.Count == 0)
        {
            return true;
        }
        // RFC 9110 §8.6: a list of identical values is one value; anything else is invalid.
        var values = FieldList.Members(field);
        return values.Count > 0
            && values.TrueForAll(v => v == values[0])
            && long.TryParse(values[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            && length == receivedBodyLength;
    }
}
