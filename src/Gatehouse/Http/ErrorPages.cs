using System.Text;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Http;

/// <summary>
/// Gatehouse's own short error bodies: its error pages, the protection checks' refusals and pages in place of a
/// backend's discarded error body; the one writer of them all. They never carry exception text or anything about a
/// backend; they carry the request id (also sent as <c>X-Request-Id</c> and written in the JSON access log) so a user's
/// report can be traced.
/// </summary>
public static class ErrorPages
{
    /// <summary>Headers that describe the backend's body; wrong once that body is replaced.</summary>
    private static readonly string[] RepresentationHeaders =
    [
        "Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Range", "Content-Location",
        "Content-Disposition", "Content-MD5", "Content-Digest", "Repr-Digest", "Digest", "ETag", "Last-Modified", "Accept-Ranges",
    ];

    /// <summary>Answers with a Gatehouse page in place of whatever the response held.</summary>
    public static Task WriteAsync(HttpContext context, int statusCode)
    {
        var response = context.Response;
        var allow = response.Headers.Allow;
        response.Clear();
        if (statusCode == StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = allow;
        }

        return WriteRefusalAsync(context, statusCode, Text(statusCode));
    }

    /// <summary>
    /// <see cref="WriteAsync"/> where the client may have left or the response may already be under way: those failures
    /// end the request quietly, as there is no one left to tell.
    /// </summary>
    public static async Task TryWriteAsync(HttpContext context, int statusCode)
    {
        try
        {
            await WriteAsync(context, statusCode);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client left, or the response could not be replaced.
        }
    }

    /// <summary>
    /// Refuses a request before it is forwarded, with Gatehouse's page for <paramref name="status"/>. With
    /// <paramref name="closeConnection"/> (framing and path errors) an HTTP/1.x connection is closed after the answer,
    /// so nothing the client sent after the request is read as another one.
    /// </summary>
    public static Task RefuseAsync(HttpContext context, int status, bool closeConnection)
    {
        // HTTP/2 and HTTP/3 have no Connection field (Kestrel would drop it with a warning); a stream error is theirs.
        if (closeConnection && (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)))
        {
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.Connection = "close";
                return Task.CompletedTask;
            }, context.Response);
        }

        return TryWriteAsync(context, status);
    }

    /// <summary>
    /// Answers with a Gatehouse page saying <paramref name="text"/>, keeping the headers set before the call: a refusal's
    /// <c>Allow</c>, <c>WWW-Authenticate</c>, <c>Retry-After</c> and <c>RateLimit</c> fields.
    /// </summary>
    public static Task WriteRefusalAsync(HttpContext context, int statusCode, string text)
    {
        context.Response.Headers.CacheControl = "no-store";
        ApplySecurityHeaders(context);
        return WriteBodyAsync(context, statusCode, text);
    }

    /// <summary>
    /// Gatehouse's own answers (its pages, a forward-auth service's denial) carry the security headers of the route they
    /// answer for (the global ones when none matched).
    /// </summary>
    internal static void ApplySecurityHeaders(HttpContext context)
    {
        if (context.RequestServices?.GetService(typeof(Runtime.GenerationHolder)) is Runtime.GenerationHolder settings)
        {
            var headers = Runtime.RouteRuntime.Of(context)?.Get<IAnswerHeaders>() ?? settings.Current.Get<IAnswerHeaders>();
            headers?.ApplyTo(context.Response.Headers);
        }
    }

    /// <summary>
    /// Writes a Gatehouse page as the body of a backend's error response whose own body was discarded. The backend's
    /// other headers stay (Retry-After, WWW-Authenticate, Allow, Cache-Control, Set-Cookie…); those describing its body
    /// were removed by <see cref="RemoveRepresentationHeaders"/>.
    /// </summary>
    public static Task WriteInPlaceOfBackendBodyAsync(HttpContext context, int statusCode)
    {
        return WriteBodyAsync(context, statusCode, GenericText(statusCode));
    }

    public static void RemoveRepresentationHeaders(IHeaderDictionary headers)
    {
        foreach (var name in RepresentationHeaders)
        {
            headers.Remove(name);
        }
    }

    private static Task WriteBodyAsync(HttpContext context, int statusCode, string text)
    {
        var response = context.Response;
        var requestId = RequestIds.Of(context);
        if (GrpcAnswers.IsGrpc(context.Request))
        {
            response.Headers[RequestIds.HeaderName] = requestId;
            return GrpcAnswers.WriteAsync(context, statusCode, text, requestId);
        }

        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers[RequestIds.HeaderName] = requestId;
        var body = Encoding.UTF8.GetBytes($"{text}Request id: {requestId}\n");
        response.ContentLength = body.Length;
        // HEAD: the headers go out now, so the page is answered once (an outer step sees a started response).
        return HttpMethods.IsHead(context.Request.Method) ? response.StartAsync(context.RequestAborted) : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public static string Text(int statusCode) => statusCode switch
    {
        StatusCodes.Status502BadGateway => "502 Bad Gateway: the backend could not be reached or gave an invalid answer.\n",
        StatusCodes.Status503ServiceUnavailable => "503 Service Unavailable: no backend is available to answer.\n",
        StatusCodes.Status504GatewayTimeout => "504 Gateway Timeout: the backend did not answer in time.\n",
        StatusCodes.Status404NotFound => "404 Not Found: no route matches this request.\n",
        StatusCodes.Status405MethodNotAllowed => "405 Method Not Allowed: this route does not accept that method.\n",
        _ => GenericText(statusCode),
    };

    /// <summary>The status line's words only: said in place of a backend's page, which may have meant anything by it.</summary>
    public static string GenericText(int statusCode) => $"{statusCode} {ReasonPhrases.GetReasonPhrase(statusCode)}\n";
}
