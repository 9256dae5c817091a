using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Challenges;
using Gatehouse.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gatehouse.Tls;

/// <summary>
/// The per-handshake decision of one HTTPS listener: which certificate (by SNI), which protocols and cipher suites, ALPN
/// and client-certificate checks, and whether this client gets resumable TLS 1.3 (<see cref="TlsProtocolPolicy.ChooseHandshake"/>).
/// The options objects for each certificate are built once and reused, so a handshake costs a table look-up and no
/// allocation here. (.NET's cached OpenSSL context, which holds the session tickets, is keyed by the certificate context.)
/// </summary>
internal sealed class HttpsListenerOptions
{
    private readonly CertificateStore _store;
    private readonly TlsAlpnChallengeCertificates? _acme;
    private readonly ListenerTlsDefinition _tls;
    private readonly SslProtocols _protocols;
    private readonly CipherSuitesPolicy? _cipherSuites;
    private readonly List<SslApplicationProtocol> _applicationProtocols;
    private readonly X509Certificate2Collection? _clientCas;
    private readonly string _minProtocol;
    private readonly bool _resumesTls13;
    private readonly ConditionalWeakTable<SslStreamCertificateContext, ContextOptions> _cache = [];
    private readonly ConditionalWeakTable<SslStreamCertificateContext, ContextOptions>.CreateValueCallback _build;

    public HttpsListenerOptions(ListenerTlsDefinition tls, string minProtocol, CertificateStore store, X509Certificate2Collection? clientCas, TlsAlpnChallengeCertificates? acme)
    {
        _tls = tls;
        _store = store;
        _acme = acme;
        _clientCas = clientCas;
        _protocols = TlsProtocolPolicy.Protocols(minProtocol);
        _cipherSuites = TlsProtocolPolicy.CreateCipherSuitesPolicy(minProtocol);
        _minProtocol = minProtocol;
        _resumesTls13 = TlsProtocolPolicy.ResumesTls13(_cipherSuites is not null, tls.ClientCertificate.Mode);
        _build = context => new ContextOptions(Build(context, _protocols, _cipherSuites), _resumesTls13 ? Build(context, SslProtocols.Tls13, null) : null);
        _applicationProtocols = tls.Http2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] : [SslApplicationProtocol.Http11];
    }

    public bool WatchesAlpn => _acme is not null;

    /// <summary>True when handshakes depend on the ClientHello: peek at it first (<see cref="ClientHelloPeek"/>).</summary>
    public bool PeeksClientHello => WatchesAlpn || TlsProtocolPolicy.NeedsClientHello(_resumesTls13, _minProtocol);

    public ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context)
    {
        var serverName = context.ClientHelloInfo.ServerName;
        var offer = ClientHelloPeek.Of(context.Connection);
        if (_acme is not null && offer.Alpn.Contains(AcmeChallenges.TlsAlpnProtocolName) && !string.IsNullOrEmpty(serverName))
        {
            return ChallengeOrCertificateAsync(_acme(SniSelection.Normalize(serverName)), serverName, offer);
        }

        return ValueTask.FromResult(ForCertificate(serverName, offer));
    }

    private async ValueTask<SslServerAuthenticationOptions> ChallengeOrCertificateAsync(
        ValueTask<SslStreamCertificateContext?> lookup, string serverName, TlsClientHello.Offer offer)
    {
        if (await lookup is { } challenge)
        {
            return new SslServerAuthenticationOptions
            {
                ServerCertificateContext = challenge,
                EnabledSslProtocols = _protocols,
                CipherSuitesPolicy = _cipherSuites,
                ApplicationProtocols = [AcmeChallenges.TlsAlpnProtocol],
                AllowRenegotiation = false,
            };
        }

        return ForCertificate(serverName, offer);
    }

    private SslServerAuthenticationOptions ForCertificate(string? serverName, TlsClientHello.Offer offer)
    {
        var certificate = _store.Select(serverName)
            ?? throw new AuthenticationException($"no certificate for '{serverName}' and no default certificate");
        var options = _cache.TryGetValue(certificate.Context, out var built) ? built : _cache.GetValue(certificate.Context, _build);
        return TlsProtocolPolicy.ChooseHandshake(_resumesTls13, _minProtocol, offer.Tls13) == TlsHandshakeMode.Tls13Resumable && options.Tls13Resumable is { } resumable
            ? resumable
            : options.Hardened;
    }

    private SslServerAuthenticationOptions Build(SslStreamCertificateContext context, SslProtocols protocols, CipherSuitesPolicy? cipherSuites)
    {
        var mode = _tls.ClientCertificate.Mode;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = cipherSuites,
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

        return CustomRootTrust.IsTrusted(certificate, presented, _clientCas, CustomRootTrust.ClientAuthentication);
    }

    /// <summary>One certificate's options: the hardened ones, and the resumable TLS 1.3 ones when the listener allows them.</summary>
    private sealed record ContextOptions(SslServerAuthenticationOptions Hardened, SslServerAuthenticationOptions? Tls13Resumable);
}
