using System.Net;
using Gatehouse.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protection;

/// <summary>
/// Forward auth (Traefik's ForwardAuth, nginx's auth_request): each request is first put to an auth service as a GET
/// without body, with the client's headers and X-Forwarded-Method/-Proto/-Host/-Uri/-For. A 2xx lets the request
/// through, carrying the configured headers of that answer to the backend; any other answer goes back to the client
/// as it is (status, body, Location, WWW-Authenticate, Set-Cookie). An auth service that cannot be reached or answers
/// too late refuses the request (503 or 504): it fails closed.
/// </summary>
public sealed class ForwardAuthClient : IDisposable
{
    private static readonly HashSet<string> NotSent = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Expect",
        "Content-Length", "Content-Type", "Content-Encoding", "Proxy-Authorization",
        "X-Forwarded-Method", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Uri", "X-Forwarded-For", "Forwarded",
    };

    private static readonly string[] DenialHeaders = ["Location", "WWW-Authenticate", "Set-Cookie", "Content-Type", "Cache-Control"];

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
    });

    public enum Outcome
    {
        Allowed,
        Denied,
    }

    /// <summary>Asks the auth service. On a 2xx the response headers are copied onto the request; otherwise the client's answer is written.</summary>
    public async Task<Outcome> AuthorizeAsync(HttpContext context, ForwardAuthSettings settings, string? forwardedFor)
    {
        using var request = BuildRequest(context, settings, forwardedFor);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(settings.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status504GatewayTimeout, "504 Gateway Timeout: the request could not be authorized in time.\n");
            return Outcome.Denied;
        }
        catch (HttpRequestException)
        {
            await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status503ServiceUnavailable, "503 Service Unavailable: the request could not be authorized.\n");
            return Outcome.Denied;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                CopyAllowedHeaders(context.Request.Headers, response, settings.ResponseHeaders);
                return Outcome.Allowed;
            }

            context.Response.StatusCode = status;
            foreach (var name in DenialHeaders)
            {
                if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            ErrorPages.ApplySecurityHeaders(context);
            try
            {
                if (!HttpMethods.IsHead(context.Request.Method))
                {
                    await response.Content.CopyToAsync(context.Response.Body, timeout.Token);
                }
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                // The denial's body came too slowly; the status already says no.
            }

            return Outcome.Denied;
        }
    }

    /// <summary>The subrequest; pure apart from reading the request, so it is unit-tested on its own.</summary>
    public static HttpRequestMessage BuildRequest(HttpContext context, ForwardAuthSettings settings, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, settings.Address) { Version = HttpVersion.Version11 };
        var incoming = context.Request;
        if (settings.RequestHeaders.Count == 0)
        {
            foreach (var (name, values) in incoming.Headers)
            {
                if (!NotSent.Contains(name) && !name.StartsWith(':'))
                {
                    request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
                }
            }
        }
        else
        {
            foreach (var name in settings.RequestHeaders)
            {
                if (!NotSent.Contains(name) && incoming.Headers.TryGetValue(name, out var values))
                {
                    request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
                }
            }
        }

        var identity = context.Features.Get<ClientIdentity>();
        request.Headers.TryAddWithoutValidation("X-Forwarded-Method", incoming.Method);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", identity?.Proto ?? incoming.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", identity?.Host ?? incoming.Host.Value);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : (incoming.PathBase + incoming.Path + incoming.QueryString).ToString();
        request.Headers.TryAddWithoutValidation("X-Forwarded-Uri", target);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor ?? context.Connection.RemoteIpAddress?.ToString());
        return request;
    }

    /// <summary>
    /// The configured headers of a 2xx answer go to the backend. Whatever the client sent under those names is dropped
    /// first, so a client can never pose as an authenticated user by sending X-User itself.
    /// </summary>
    internal static void CopyAllowedHeaders(IHeaderDictionary target, HttpResponseMessage response, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            target.Remove(name);
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                target[name] = values.ToArray();
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
