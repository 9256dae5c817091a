using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>
/// Evaluation of a client's preconditions against a stored response that could be reused (RFC 9111 §4.3.2, RFC 9110
/// §13.1, §13.2).
/// </summary>
public static class ClientConditions
{
    // RFC 9110 §15.4.5: what a 304 carries, plus Last-Modified because it guides cache updates.
    private static readonly string[] NotModifiedFields =
    [
        HeaderNames.CacheControl, HeaderNames.ContentLocation, HeaderNames.Date, HeaderNames.ETag,
        HeaderNames.Expires, HeaderNames.Vary, HeaderNames.LastModified,
    ];

    /// <summary>
    /// Applies RFC 9110 §13.2.2 as a cache may (RFC 9111 §4.3.2):
    /// If-Match and If-Unmodified-Since are not for a cache to evaluate (§4.3.2 MUST NOT), so they forward the request;
    /// If-None-Match takes precedence over If-Modified-Since and uses the weak comparison (§13.1.2 MUST): <c>*</c>
    /// or a listed tag matching the stored ETag gives 304; If-Modified-Since (GET and HEAD only, ignored when invalid
    /// or repeated, §13.1.3 MUST) gives 304 when the stored Last-Modified — or Date, or the time of receipt
    /// (§4.3.2 SHOULD) — is not later than it. Preconditions are only evaluated for a stored 2xx (§13.2.1); for any
    /// other status they are ignored. If-Range belongs to <see cref="ByteRanges"/>.
    /// </summary>
    public static ConditionalOutcome Evaluate(
        string method,
        IHeaderDictionary requestHeaders,
        int storedStatusCode,
        IHeaderDictionary storedHeaders,
        DateTimeOffset storedResponseTime)
    {
        var getOrHead = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        if (!getOrHead || storedStatusCode is < 200 or > 299)
        {
            return ConditionalOutcome.SendStored;
        }
        if (requestHeaders.ContainsKey(HeaderNames.IfMatch) || requestHeaders.ContainsKey(HeaderNames.IfUnmodifiedSince))
        {
            return ConditionalOutcome.Forward;
        }

        var ifNoneMatch = requestHeaders[HeaderNames.IfNoneMatch];
        if (ifNoneMatch.Count > 0)
        {
            if (!EntityTag.TryParseList(ifNoneMatch, out var any, out var tags))
            {
                return ConditionalOutcome.Forward;
            }
            if (any)
            {
                return ConditionalOutcome.NotModified; // a stored response is a current representation
            }
            var matches = EntityTag.TryParseSingle(storedHeaders[HeaderNames.ETag], out var stored)
                && tags.Exists(tag => tag.WeakEquals(stored));
            return matches ? ConditionalOutcome.NotModified : ConditionalOutcome.SendStored;
        }

        var ifModifiedSince = requestHeaders[HeaderNames.IfModifiedSince];
        if (ifModifiedSince.Count == 1 && HttpDate.TryParse(ifModifiedSince[0], storedResponseTime, out var since))
        {
            var modified = LastModified(storedHeaders, storedResponseTime);
            return modified <= since ? ConditionalOutcome.NotModified : ConditionalOutcome.SendStored;
        }
        return ConditionalOutcome.SendStored;
    }

    /// <summary>The fields of a stored response that a 304 to the client carries (RFC 9110 §15.4.5).</summary>
    public static IHeaderDictionary NotModifiedHeaders(IHeaderDictionary storedHeaders)
    {
        var headers = new HeaderDictionary();
        foreach (var name in NotModifiedFields)
        {
            if (storedHeaders.TryGetValue(name, out var value))
            {
                headers[name] = value;
            }
        }
        return headers;
    }

    private static DateTimeOffset LastModified(IHeaderDictionary storedHeaders, DateTimeOffset storedResponseTime)
    {
        if (HttpDate.TryParse(storedHeaders[HeaderNames.LastModified], storedResponseTime, out var lastModified))
        {
            return lastModified;
        }
        return HttpDate.TryParse(storedHeaders[HeaderNames.Date], storedResponseTime, out var date) ? date : storedResponseTime;
    }
}
