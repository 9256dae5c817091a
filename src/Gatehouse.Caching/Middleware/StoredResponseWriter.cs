using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Answers a request from a stored response: the whole response, a 304 to the client's own conditional request
/// (RFC 9111 §4.3.2), a 206 or 416 to its Range (RFC 9110 §14), or the header section alone to a HEAD. The stored
/// bytes are sent as they are (§5.2.2.6: never transformed); trailers are never stored, so none are sent.
/// </summary>
internal static class StoredResponseWriter
{
    /// <param name="context">The request to answer.</param>
    /// <param name="entry">The stored response, already judged usable for this request.</param>
    /// <param name="conditions">The outcome of <see cref="ClientConditions.Evaluate"/> (not <see cref="ConditionalOutcome.Forward"/>).</param>
    /// <param name="status">This cache's Cache-Status member.</param>
    /// <param name="now">When the response is sent, for Age.</param>
    /// <param name="ownTargetedField">The cache's own targeted field, never sent to clients.</param>
    public static Task WriteAsync(HttpContext context, CachedResponse entry, ConditionalOutcome conditions, CacheStatus status, DateTimeOffset now, string? ownTargetedField)
    {
        var response = context.Response;
        var stored = new StoredHeaderView(entry.Headers);
        var age = ResponseAge.ToHeaderValue(entry.Freshness.CurrentAge(now));
        if (conditions == ConditionalOutcome.NotModified)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            foreach (var (name, value) in ClientConditions.NotModifiedHeaders(stored))
            {
                response.Headers[name] = value;
            }
            response.Headers.Age = age;
            CacheStatusField.Append(response.Headers, status);
            return Task.CompletedTask;
        }

        var body = entry.Body;
        var range = ByteRanges.Decide(context.Request.Method, context.Request.Headers, entry.StatusCode, stored, body.Length);
        if (range.Outcome == RangeOutcome.NotSatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = range.ContentRange;
            response.ContentLength = 0;
            CacheStatusField.Append(response.Headers, status);
            return Task.CompletedTask;
        }

        response.StatusCode = range.Outcome == RangeOutcome.Partial ? StatusCodes.Status206PartialContent : entry.StatusCode;
        foreach (var (name, value) in entry.Headers)
        {
            if (!IsReplaced(name, ownTargetedField))
            {
                response.Headers[name] = value;
            }
        }
        response.Headers.Age = age;
        if (range.Outcome == RangeOutcome.Partial)
        {
            response.Headers.ContentRange = range.ContentRange;
        }
        if (CanHaveContent(response.StatusCode))
        {
            response.ContentLength = range.Length;
        }
        CacheStatusField.Append(response.Headers, status);

        if (HttpMethods.IsHead(context.Request.Method) || range.Length == 0)
        {
            return Task.CompletedTask;
        }
        return response.BodyWriter.WriteAsync(body.Slice((int)range.Offset, (int)range.Length), context.RequestAborted).AsTask();
    }

    /// <summary>Answers 504 (RFC 9111 §5.2.1.7 only-if-cached, §5.2.2.2 disconnected with must-revalidate).</summary>
    public static void WriteGatewayTimeout(HttpContext context, CacheStatus status)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status504GatewayTimeout;
        response.ContentLength = 0;
        CacheStatusField.Append(response.Headers, status);
    }

    /// <summary>Fields the cache sets itself (Age, Content-Length) or never sends (its own targeted field).</summary>
    private static bool IsReplaced(string name, string? ownTargetedField) =>
        name.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        || (ownTargetedField is not null && name.Equals(ownTargetedField, StringComparison.OrdinalIgnoreCase));

    /// <summary>RFC 9110 §8.6: no Content-Length in 1xx, 204 and 304 responses.</summary>
    private static bool CanHaveContent(int statusCode) => statusCode is >= 200 and not 204 and not 304;
}
