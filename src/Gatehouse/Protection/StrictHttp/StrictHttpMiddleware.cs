using Gatehouse.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protection;

/// <summary>
/// Refuses, before routing, what Kestrel's parser accepts but a careful edge should not (docs/protection.md, "Strict
/// HTTP"): Transfer-Encoding together with Content-Length, any Transfer-Encoding other than a single <c>chunked</c>,
/// Transfer-Encoding on HTTP/1.0, TRACE and tunnel CONNECT. Framing errors close the connection, so nothing the client
/// sent after them is read as another request. The normal path is a few field checks. The path is not checked here:
/// <see cref="PathCanonicalizationMiddleware"/> does that on every request, strict or not.
/// </summary>
internal sealed class StrictHttpMiddleware(RequestDelegate next)
{
    private const string KestrelMovedContentLength = "X-Content-Length";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers;
        if (headers.TransferEncoding.Count != 0 && !IsAcceptableChunked(request))
        {
            return ErrorPages.RefuseAsync(context, StatusCodes.Status400BadRequest, closeConnection: true);
        }

        if (HttpMethods.IsTrace(request.Method) || (HttpMethods.IsConnect(request.Method) && !IsExtendedConnect(context)))
        {
            return ErrorPages.RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, closeConnection: false);
        }

        return next(context);
    }

    /// <summary>
    /// HTTP/2 and HTTP/3 WebSockets arrive as CONNECT with a <c>:protocol</c> (RFC 8441), which YARP forwards; a plain
    /// CONNECT asks for a tunnel, which a reverse proxy does not give.
    /// </summary>
    private static bool IsExtendedConnect(HttpContext context) => context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    /// <summary>
    /// RFC 9112 §6.1 and §6.3: only <c>chunked</c>, once, on HTTP/1.1, and never next to Content-Length. Kestrel, given
    /// both, drops Content-Length and keeps its value as X-Content-Length, so that name next to Transfer-Encoding is
    /// treated as the pair it stands for.
    /// </summary>
    private static bool IsAcceptableChunked(HttpRequest request) =>
        request.Headers.ContentLength is null
        && !request.Headers.ContainsKey(KestrelMovedContentLength)
        && !HttpProtocol.IsHttp10(request.Protocol)
        && request.Headers.TransferEncoding is { Count: 1 } values
        && values[0].AsSpan().Trim(" \t").Equals("chunked", StringComparison.OrdinalIgnoreCase);
}
