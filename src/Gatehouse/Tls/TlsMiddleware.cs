using System.Security.Cryptography;
using Gatehouse.Configuration;
using Gatehouse.Runtime;

namespace Gatehouse.Tls;

/// <summary>
/// Request-level TLS duties, before routing: ACME HTTP-01 answers and the HTTP→HTTPS redirect on plain listeners; HSTS and
/// the client-certificate headers on HTTPS listeners. Client-sent copies of those headers are removed on every listener,
/// so a backend can trust them.
/// </summary>
internal sealed class TlsMiddleware(
    RequestDelegate next,
    GenerationHolder settings,
    CertificateStore store,
    HttpsListeners httpsListeners,
    IServiceProvider services)
{
    private readonly HttpChallengeResponses? _httpChallenges = services.GetService<HttpChallengeResponses>();
    private HstsCache _hsts = new(new HstsDefinition { Enabled = false }, null);

    public Task InvokeAsync(HttpContext context)
    {
        var listener = ListenerConnection.Of(context);
        foreach (var header in httpsListeners.ClientCertificateHeaders)
        {
            context.Request.Headers.Remove(header);
        }

        if (listener is null)
        {
            return next(context);
        }

        var tls = settings.Current.Config.Tls;
        if (!context.Request.IsHttps)
        {
            return Plain(context, tls);
        }

        if (listener.Tls is { } listenerTls && listenerTls.ClientCertificate.Mode != ClientCertificateModes.None
            && context.Connection.ClientCertificate is { } clientCertificate)
        {
            context.Request.Headers[listenerTls.ClientCertificate.SubjectHeader] = ClientCertificateHeaders.Subject(clientCertificate);
            context.Request.Headers[listenerTls.ClientCertificate.FingerprintHeader] = Convert.ToHexStringLower(SHA256.HashData(clientCertificate.RawDataMemory.Span));
        }

        if (HstsValue(tls.Hsts) is { } hsts)
        {
            context.Response.OnStarting(static state =>
            {
                var (response, value) = ((HttpResponse, string))state;
                response.Headers[HstsHeader.Name] = value;
                return Task.CompletedTask;
            }, (context.Response, hsts));
        }

        return next(context);
    }

    private Task Plain(HttpContext context, TlsDefinition tls)
    {
        var request = context.Request;
        if (_httpChallenges is not null && request.Path.StartsWithSegments(AcmeChallenges.HttpChallengePathPrefix.TrimEnd('/'), out var rest)
            && rest.Value is { Length: > 1 } token)
        {
            // A local challenge answers at once; one held by another node of a cluster waits for Redis, asynchronously.
            var lookup = _httpChallenges(token[1..]);
            if (!lookup.IsCompletedSuccessfully)
            {
                return PlainAfterLookupAsync(context, tls, lookup);
            }

            if (lookup.Result is { } keyAuthorization)
            {
                return AnswerChallenge(context.Response, keyAuthorization);
            }
        }

        return PlainNotChallenge(context, tls);
    }

    private async Task PlainAfterLookupAsync(HttpContext context, TlsDefinition tls, ValueTask<string?> lookup)
    {
        if (await lookup is { } keyAuthorization)
        {
            await AnswerChallenge(context.Response, keyAuthorization);
            return;
        }

        await PlainNotChallenge(context, tls);
    }

    private static Task AnswerChallenge(HttpResponse response, string keyAuthorization)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain";
        return response.WriteAsync(keyAuthorization);
    }

    private Task PlainNotChallenge(HttpContext context, TlsDefinition tls)
    {
        var request = context.Request;
        if (tls.RedirectHttp && httpsListeners.RedirectPort is { } port && request.Host.HasValue
            && store.HasCertificateFor(HttpsRedirect.HostWithoutPort(request.Host.Value).Trim('[', ']')))
        {
            context.Response.StatusCode = HttpsRedirect.Status(request.Method);
            context.Response.Headers.Location = HttpsRedirect.Target(request.Host.Value, port, $"{request.PathBase}{request.Path}{request.QueryString}");
            return Task.CompletedTask;
        }

        return next(context);
    }

    /// <summary>The header value for the current config, computed again only after a reload replaced the settings.</summary>
    private string? HstsValue(HstsDefinition definition)
    {
        var cached = Volatile.Read(ref _hsts);
        if (!ReferenceEquals(cached.Definition, definition))
        {
            cached = new HstsCache(definition, HstsHeader.Value(definition));
            Volatile.Write(ref _hsts, cached);
        }

        return cached.Value;
    }

    private sealed record HstsCache(HstsDefinition Definition, string? Value);
}
