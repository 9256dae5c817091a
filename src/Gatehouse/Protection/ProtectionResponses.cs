using System.Text;
using Gatehouse.Forwarding;

namespace Gatehouse.Protection;

/// <summary>Gatehouse's own short refusals (401, 403, 405, 429, 503, 504); headers set before the call are kept.</summary>
internal static class ProtectionResponses
{
    public static Task WriteAsync(HttpContext context, int status)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var body = Encoding.UTF8.GetBytes(Text(status));
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? response.StartAsync(context.RequestAborted) : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static string Text(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "401 Unauthorized: this route needs a user name and password.\n",
        StatusCodes.Status403Forbidden => "403 Forbidden: this address may not use this route.\n",
        StatusCodes.Status429TooManyRequests => "429 Too Many Requests: slow down; see Retry-After.\n",
        StatusCodes.Status503ServiceUnavailable => "503 Service Unavailable: the request could not be authorized.\n",
        StatusCodes.Status504GatewayTimeout => "504 Gateway Timeout: the request could not be authorized in time.\n",
        _ => ErrorPages.Text(status),
    };
}
