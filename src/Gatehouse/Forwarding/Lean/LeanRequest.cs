using Gatehouse.Http1;
using Gatehouse.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Forwarding;

/// <summary>
/// The request the lean path sends, built from the HttpRequestMessage the route's transformer filled in: its method,
/// target and fields, and the one framing Gatehouse chooses itself (the client's Content-Length and Transfer-Encoding
/// are never copied: <see cref="RequestHeadWriter"/> skips them and writes its own).
/// </summary>
internal static class LeanRequest
{
    /// <summary>
    /// Whether a body follows, as YARP decides it: Kestrel knows (Content-Length above zero, chunked, or an HTTP/2 or
    /// HTTP/3 stream that did not end with its headers).
    /// </summary>
    public static bool HasBody(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { } detection)
        {
            return detection.CanHaveBody;
        }

        var request = context.Request;
        return request.Headers.TransferEncoding.Count > 0 || request.ContentLength > 0;
    }

    /// <summary>
    /// Content-Length when the client gave one, chunked when a body of unknown length follows; a bodiless request gets
    /// "Content-Length: 0" when its method normally has a body (what HttpClient sends; some servers answer 411
    /// without it), and no framing field otherwise.
    /// </summary>
    public static (RequestBodyFraming Framing, long Length) Framing(bool hasBody, long? contentLength, string method)
    {
        if (hasBody)
        {
            return contentLength is { } length ? (RequestBodyFraming.ContentLength, length) : (RequestBodyFraming.Chunked, 0);
        }

        return ExpectsBody(method) ? (RequestBodyFraming.ContentLength, 0) : (RequestBodyFraming.None, 0);
    }

    private static bool ExpectsBody(string method) =>
        !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method) && !HttpMethods.IsDelete(method)
        && !HttpMethods.IsConnect(method);

    /// <summary>
    /// The fields to send: the message's headers, then its content headers, each name once with its values joined as
    /// HttpClient joins them (", ", or "; " for Cookie). Host, Content-Length and Transfer-Encoding are the writer's.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Fields(HttpRequestMessage message)
    {
        var headers = message.Headers.NonValidated;
        var contentHeaders = message.Content?.Headers.NonValidated;
        var fields = new KeyValuePair<string, string>[headers.Count + (contentHeaders?.Count ?? 0)];
        var count = 0;
        foreach (var header in headers)
        {
            if (!RequestHeadWriter.IsOwnField(header.Key))
            {
                fields[count++] = KeyValuePair.Create(header.Key, Join(header.Key, header.Value));
            }
        }

        if (contentHeaders is { } content)
        {
            foreach (var header in content)
            {
                if (!RequestHeadWriter.IsOwnField(header.Key))
                {
                    fields[count++] = KeyValuePair.Create(header.Key, Join(header.Key, header.Value));
                }
            }
        }

        return count == fields.Length ? fields : new ArraySegment<KeyValuePair<string, string>>(fields, 0, count);
    }

    private static string Join(string name, System.Net.Http.Headers.HeaderStringValues values)
    {
        if (values.Count == 1)
        {
            return values.ToString();
        }

        return string.Join(name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase) ? "; " : ", ", values);
    }

    public static UpstreamRequest Build(HttpContext context, HttpRequestMessage message, Uri destination, string defaultHost, bool hasBody, Action? progress = null)
    {
        var request = context.Request;
        var (framing, length) = Framing(hasBody, request.ContentLength, message.Method.Method);
        return new UpstreamRequest(message.Method.Method, destination.PathAndQuery, message.Headers.Host ?? defaultHost, Fields(message))
        {
            BodyFraming = framing,
            ContentLength = length,
            Body = hasBody ? request.Body : null,
            Progress = hasBody ? progress : null,
        };
    }
}
