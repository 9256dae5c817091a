using System.Net.Security;

namespace Gatehouse.Tls;

/// <summary>
/// TLS-ALPN-01 (RFC 8737): the certificate for a host whose validation is in progress, or null. Register one in DI; when
/// a ClientHello offers the ALPN protocol <c>acme-tls/1</c>, the handshake answers with this certificate and that protocol.
/// Asynchronous: in a cluster the certificate may be in Redis, and no handshake thread waits for it.
/// </summary>
public delegate ValueTask<SslStreamCertificateContext?> TlsAlpnChallengeCertificates(string host);

/// <summary>HTTP-01 (RFC 8555 §8.3): the key authorization for a token, or null. Register one in DI; plain-HTTP requests
/// for <c>/.well-known/acme-challenge/{token}</c> are answered from it before any redirect or route.</summary>
public delegate ValueTask<string?> HttpChallengeResponses(string token);

public static class AcmeChallenges
{
    public const string TlsAlpnProtocolName = Gatehouse.Acme.Challenges.TlsAlpn01.AlpnProtocol;

    public const string HttpChallengePathPrefix = Gatehouse.Acme.Challenges.AcmeChallengeResponses.Http01PathPrefix;

    public static readonly SslApplicationProtocol TlsAlpnProtocol = new(TlsAlpnProtocolName);
}
