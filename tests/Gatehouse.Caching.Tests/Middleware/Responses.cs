using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>Shorthands for the middleware tests.</summary>
internal static class Responses
{
    /// <summary>The whole Cache-Status field, its lines joined as one list.</summary>
    public static string CacheStatus(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    public static Task<HttpResponseMessage> GetAsync(this CacheHost host, string path, params (string Name, string Value)[] headers) =>
        host.SendAsync(HttpMethod.Get, path, headers);

    public static Task<HttpResponseMessage> SendAsync(this CacheHost host, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return host.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// An origin handler answering <paramref name="body"/> with the given fields, and with its Content-Length unless
    /// they give one (the cache says "stored" only for a response whose length it knows up front).
    /// </summary>
    public static Func<HttpContext, int, Task> Answer(string body, params (string Name, string Value)[] headers) => (context, _) =>
    {
        foreach (var (name, value) in headers)
        {
            context.Response.Headers.Append(name, value);
        }
        return context.Response.WriteWithLengthAsync(body);
    };

    /// <summary>Writes <paramref name="body"/> with its Content-Length, unless the response has one already.</summary>
    public static Task WriteWithLengthAsync(this HttpResponse response, string body)
    {
        if (body.Length > 0 && response.ContentLength is null)
        {
            response.ContentLength = Encoding.UTF8.GetByteCount(body);
        }
        return response.WriteAsync(body);
    }

    public static MediaTypeHeaderValue Text => new("text/plain");
}
