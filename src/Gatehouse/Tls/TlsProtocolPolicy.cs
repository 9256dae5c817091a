using System.Net.Security;
using System.Security.Authentication;
using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// Protocol versions and cipher suites every HTTPS listener offers. TLS 1.2 gets Mozilla's "intermediate" list reduced to
/// ECDHE with an AEAD (AES-GCM, ChaCha20-Poly1305): forward secret, no CBC, no RSA key exchange, no 3DES, RC4, NULL or
/// EXPORT. (Mozilla's list also has DHE suites; they are left out because .NET gives no way to set the DH group.)
/// TLS 1.3 suites are all AEAD and forward secret.
/// </summary>
public static class TlsProtocolPolicy
{
    public static IReadOnlyList<TlsCipherSuite> Tls13CipherSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>In Mozilla's order: ECDSA before RSA, AES-128 before AES-256, ChaCha20 last.</summary>
    public static IReadOnlyList<TlsCipherSuite> Tls12CipherSuites { get; } =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public static SslProtocols Protocols(string minProtocol) =>
        minProtocol == TlsProtocolNames.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;

    public static IReadOnlyList<TlsCipherSuite> CipherSuites(string minProtocol) =>
        minProtocol == TlsProtocolNames.Tls13 ? Tls13CipherSuites : [.. Tls13CipherSuites, .. Tls12CipherSuites];

    /// <summary>
    /// The policy to hand to SslStream. Only on Linux (OpenSSL) does .NET let an application choose cipher suites;
    /// elsewhere the system's own configuration applies (see docs/tls.md).
    /// </summary>
    /// <remarks>
    /// With a policy, .NET builds an OpenSSL context per connection instead of caching one per certificate, so sessions
    /// are never resumed: every connection makes a full handshake with fresh ECDHE keys. Hence
    /// <see cref="ChooseHandshake"/> (docs/tls.md, session resumption).
    /// </remarks>
    public static CipherSuitesPolicy? CreateCipherSuitesPolicy(string minProtocol) =>
        OperatingSystem.IsLinux() ? new CipherSuitesPolicy(CipherSuites(minProtocol)) : null;

    /// <summary>True for a suite this policy would never offer: CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous.</summary>
    public static bool IsWeak(TlsCipherSuite suite)
    {
        var name = suite.ToString();
        return name.Contains("_CBC_", StringComparison.Ordinal) || name.Contains("3DES", StringComparison.Ordinal)
            || name.Contains("RC4", StringComparison.Ordinal) || name.Contains("NULL", StringComparison.Ordinal)
            || name.Contains("EXPORT", StringComparison.Ordinal) || name.Contains("anon", StringComparison.Ordinal)
            || name.StartsWith("TLS_RSA_", StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether a listener may resume TLS 1.3 sessions: only where the cipher-suite policy is what stops resumption
    /// (Linux) and the listener asks for no client certificates (a resumed session would carry the certificate of the
    /// handshake that issued the ticket, possibly on another listener sharing the server certificate; those listeners
    /// keep a full handshake per connection).
    /// </summary>
    public static bool ResumesTls13(bool cipherSuitesPolicySet, string clientCertificateMode) =>
        cipherSuitesPolicySet && clientCertificateMode == ClientCertificateModes.None;

    /// <summary>Whether the listener needs to peek at the ClientHello to choose (with a 1.3 minimum every client gets 1.3).</summary>
    public static bool NeedsClientHello(bool resumesTls13, string minProtocol) => resumesTls13 && minProtocol != TlsProtocolNames.Tls13;

    /// <summary>
    /// The options for one handshake. A client offering TLS 1.3 gets TLS 1.3 alone without a cipher-suite policy, so
    /// .NET caches the OpenSSL context per certificate and tickets resume; TLS 1.3 suites are all AEAD and forward
    /// secret, and OpenSSL resumes only with a fresh ECDHE (psk_dhe_ke). Anyone else gets the hardened TLS 1.2 + 1.3
    /// options, without resumption: TLS 1.2 session ids and tickets would let long-lived keys expose past sessions.
    /// </summary>
    public static TlsHandshakeMode ChooseHandshake(bool resumesTls13, string minProtocol, bool clientOffersTls13) =>
        resumesTls13 && (clientOffersTls13 || minProtocol == TlsProtocolNames.Tls13) ? TlsHandshakeMode.Tls13Resumable : TlsHandshakeMode.Hardened;
}

public enum TlsHandshakeMode
{
    /// <summary>TLS 1.2 (AEAD, ECDHE suites only) and 1.3 per the minimum, with the cipher-suite policy; never resumed.</summary>
    Hardened,

    /// <summary>TLS 1.3 only, OpenSSL's (all AEAD) suites, session tickets resumed with a fresh ECDHE.</summary>
    Tls13Resumable,
}
