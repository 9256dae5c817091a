using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Forwarding;

/// <summary>Gatehouse's own short error bodies. They never carry exception text or anything about a backend.</summary>
public static class ErrorPages
{
    public static Task WriteAsync(HttpContext context, int statusCode)
    {
        var response = context.Response;
        var allow = response.Headers.Allow;
        response.Clear();
        if (statusCode == StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = allow;
        }

        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var body = Encoding.UTF8.GetBytes(Text(statusCode));
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public static string Text(int statusCode) => statusCode switch
    {
        StatusCodes.Status502BadGateway => "502 Bad Gateway: the backend could not be reached or gave an invalid answer.\n",
        StatusCodes.Status503ServiceUnavailable => "503 Service Unavailable: no backend is available to answer.\n",
        StatusCodes.Status504GatewayTimeout => "504 Gateway Timeout: the backend did not answer in time.\n",
        StatusCodes.Status404NotFound => "404 Not Found: no route matches this request.\n",
        StatusCodes.Status405MethodNotAllowed => "405 Method Not Allowed: this route does not accept that method.\n",
        _ => $"{statusCode} {ReasonPhrases.GetReasonPhrase(statusCode)}\n",
    };
}
