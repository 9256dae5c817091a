using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;

namespace Gatehouse.Acme;

/// <summary>The HttpClient that talks to the CA, trusting a given CA bundle instead of the system store when asked.</summary>
public static class AcmeHttp
{
    public static HttpClient CreateClient(string? trustedCaBundlePath)
    {
        var client = new HttpClient(CreateHandler(trustedCaBundlePath)) { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Gatehouse-ACME/0.1");
        return client;
    }

    /// <summary>The handler alone, for callers that put their own handlers (logging, metrics) in front of it.</summary>
    public static SocketsHttpHandler CreateHandler(string? trustedCaBundlePath)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (trustedCaBundlePath is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(trustedCaBundlePath);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => TrustedBy(roots, certificate, chain, errors),
            };
        }

        return handler;
    }

    private static bool TrustedBy(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        // Name mismatches and missing certificates stay fatal; only the chain is judged against the bundle.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        return CustomRootTrust.IsTrusted(certificate, presented, roots, usage: null);
    }
}
