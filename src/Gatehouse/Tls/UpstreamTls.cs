using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;
using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// TLS towards https:// destinations (<c>clusters.X.httpClient.tls</c>): trust a private CA bundle instead of the
/// system store, expect another name than the destination's host, and present a client certificate (mTLS).
/// </summary>
public static class UpstreamTls
{
    public const string CaBundleMetadata = "Gatehouse.Tls.CaBundle";
    public const string ServerNameMetadata = "Gatehouse.Tls.ServerName";
    public const string ClientCertificateMetadata = "Gatehouse.Tls.ClientCertificate";
    public const string ClientKeyMetadata = "Gatehouse.Tls.ClientKey";

    public static readonly IReadOnlyList<string> MetadataKeys = [CaBundleMetadata, ServerNameMetadata, ClientCertificateMetadata, ClientKeyMetadata];

    /// <summary>The cluster metadata that carries the settings to the HTTP client factory (pure; paths as written).</summary>
    public static IEnumerable<KeyValuePair<string, string>> Metadata(UpstreamTlsDefinition? tls)
    {
        if (tls is null)
        {
            yield break;
        }

        foreach (var (key, value) in new[] { (CaBundleMetadata, tls.CaBundle), (ServerNameMetadata, tls.ServerName), (ClientCertificateMetadata, tls.ClientCertificate), (ClientKeyMetadata, tls.ClientKey) })
        {
            if (value is not null)
            {
                yield return new(key, value);
            }
        }
    }

    /// <summary>
    /// Applies the settings found in <paramref name="metadata"/> to a handler. The files come from <paramref name="loaded"/>,
    /// what the config's check loaded, when it was loaded from the same paths; otherwise (a config applied without the file
    /// check, such as the one a server starts with) they are read here, once per client.
    /// </summary>
    public static void Configure(SocketsHttpHandler handler, IReadOnlyDictionary<string, string>? metadata, string baseDirectory, bool acceptAnyCertificate, UpstreamTlsFiles? loaded = null)
    {
        if (metadata is null)
        {
            return;
        }

        var serverName = metadata.GetValueOrDefault(ServerNameMetadata);
        if (!acceptAnyCertificate && (metadata.TryGetValue(CaBundleMetadata, out var bundle) || serverName is not null))
        {
            var roots = loaded is not null && loaded.IsFor(metadata) ? loaded.Roots : null;
            if (bundle is not null && roots is null)
            {
                roots = PemFiles.LoadCertificates(TlsPaths.Resolve(baseDirectory, bundle), out var error)
                    ?? throw new InvalidOperationException($"upstream CA bundle {bundle}: {error}");
            }

            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IsTrusted(certificate, chain, errors, roots, serverName);
        }

        if (loaded is not null && loaded.IsFor(metadata) && loaded.Client is { } checkedClient)
        {
            handler.SslOptions.ClientCertificateContext = checkedClient;
        }
        else if (metadata.TryGetValue(ClientCertificateMetadata, out var certificatePath) && metadata.TryGetValue(ClientKeyMetadata, out var keyPath))
        {
            var client = PemFiles.LoadCertificateWithKey(TlsPaths.Resolve(baseDirectory, certificatePath), TlsPaths.Resolve(baseDirectory, keyPath), out var certificateError, out var keyError)
                ?? throw new InvalidOperationException($"upstream client certificate {certificatePath}: {certificateError ?? keyError}");
            var context = SslStreamCertificateContext.Create(client.Certificate, client.Intermediates, offline: true);
            handler.SslOptions.ClientCertificateContext = context;
        }
    }

    /// <summary>
    /// The backend's certificate must name <paramref name="serverName"/> (else the host .NET checked) and chain to
    /// <paramref name="roots"/> (else the system store).
    /// </summary>
    public static bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection? roots, string? serverName)
    {
        if (certificate is null)
        {
            return false;
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var nameOk = serverName is not null ? leaf.MatchesHostname(serverName) : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        if (!nameOk)
        {
            return false;
        }

        if (roots is null)
        {
            return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;
        }

        return CustomRootTrust.IsTrusted(leaf, presented, roots, CustomRootTrust.ServerAuthentication);
    }

    /// <summary>
    /// .NET sends as SNI the request's Host header when there is one, else the destination's host; so to send the
    /// configured name, the Host header becomes that name unless a transform already set one.
    /// </summary>
    public static HttpMessageHandler WithServerName(HttpMessageHandler inner, IReadOnlyDictionary<string, string>? metadata) =>
        metadata?.GetValueOrDefault(ServerNameMetadata) is { } serverName ? new ServerNameHandler(inner, serverName) : inner;

    private sealed class ServerNameHandler(HttpMessageHandler inner, string serverName) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Host is null && request.RequestUri is { } uri && uri.Scheme == Uri.UriSchemeHttps)
            {
                request.Headers.Host = uri.IsDefaultPort ? serverName : $"{serverName}:{uri.Port}";
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
