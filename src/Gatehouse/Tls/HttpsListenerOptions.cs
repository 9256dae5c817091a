using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gatehouse.Tls;

/// <summary>
/// The per-handshake decision of one HTTPS listener: which certificate (by SNI), which protocols and cipher suites, ALPN
/// and client-certificate checks. The options object for each certificate is built once and reused, so a handshake costs
/// a dictionary look-up.
/// </summary>
internal sealed class HttpsListenerOptions
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly CertificateStore _store;
    private readonly TlsAlpnChallengeCertificates? _acme;
    private readonly ListenerTlsDefinition _tls;
    private readonly SslProtocols _protocols;
    private readonly CipherSuitesPolicy? _cipherSuites;
    private readonly List<SslApplicationProtocol> _applicationProtocols;
    private readonly X509Certificate2Collection? _clientCas;
    private readonly ConditionalWeakTable<SslStreamCertificateContext, SslServerAuthenticationOptions> _cache = [];

    public HttpsListenerOptions(ListenerTlsDefinition tls, string minProtocol, CertificateStore store, X509Certificate2Collection? clientCas, TlsAlpnChallengeCertificates? acme)
    {
        _tls = tls;
        _store = store;
        _acme = acme;
        _clientCas = clientCas;
        _protocols = TlsProtocolPolicy.Protocols(minProtocol);
        _cipherSuites = TlsProtocolPolicy.CreateCipherSuitesPolicy(minProtocol);
        _applicationProtocols = tls.Http2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] : [SslApplicationProtocol.Http11];
    }

    public bool WatchesAlpn => _acme is not null;

    public ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context)
    {
        var serverName = context.ClientHelloInfo.ServerName;
        if (_acme is not null && AlpnPeek.Offered(context.Connection).Contains(AcmeChallenges.TlsAlpnProtocolName)
            && !string.IsNullOrEmpty(serverName) && _acme(SniSelection.Normalize(serverName)) is { } challenge)
        {
            return ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = challenge,
                EnabledSslProtocols = _protocols,
                CipherSuitesPolicy = _cipherSuites,
                ApplicationProtocols = [AcmeChallenges.TlsAlpnProtocol],
                AllowRenegotiation = false,
            });
        }

        var certificate = _store.Select(serverName)
            ?? throw new AuthenticationException($"no certificate for '{serverName}' and no default certificate");
        return ValueTask.FromResult(_cache.GetValue(certificate.Context, Build));
    }

    private SslServerAuthenticationOptions Build(SslStreamCertificateContext context)
    {
        var mode = _tls.ClientCertificate.Mode;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = _protocols,
            CipherSuitesPolicy = _cipherSuites,
            ApplicationProtocols = _applicationProtocols,
            // RFC 9113 §9.2.1: no renegotiation under HTTP/2; Gatehouse never needs it.
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = mode != ClientCertificateModes.None,
        };
        if (mode != ClientCertificateModes.None)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, chain, _) => IsValidClientCertificate(certificate, chain, mode);
        }

        return options;
    }

    /// <summary>Absent: acceptable unless required. Present: must chain to the listener's CA bundle and allow clientAuth.</summary>
    private bool IsValidClientCertificate(X509Certificate? certificate, X509Chain? presented, string mode)
    {
        if (certificate is null)
        {
            return mode != ClientCertificateModes.Require;
        }

        if (_clientCas is null)
        {
            return false;
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clientCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
