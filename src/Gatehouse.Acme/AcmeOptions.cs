using Gatehouse.Acme.Certificates;

namespace Gatehouse.Acme;

/// <summary>The challenge types Gatehouse can answer itself (RFC 8555 §8.3, RFC 8737).</summary>
public static class AcmeChallengeTypes
{
    public const string Http01 = "http-01";
    public const string TlsAlpn01 = "tls-alpn-01";

    public static IReadOnlyList<string> All { get; } = [Http01, TlsAlpn01];
}

/// <summary>One certificate to keep: its names (the first names it, in storage and logs).</summary>
public sealed record AcmeCertificateRequest(IReadOnlyList<string> Hosts)
{
    public string Name => Hosts[0];
}

/// <summary>What the certificate manager is told; every setting has the default a public web server wants.</summary>
public sealed record AcmeOptions
{
    public const string LetsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory";
    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    public Uri DirectoryUrl { get; init; } = new(LetsEncryptProduction);

    /// <summary>Contact addresses for the account (mailto: is added when missing).</summary>
    public IReadOnlyList<string> Email { get; init; } = [];

    /// <summary>Must be true: CAs refuse accounts whose owner did not agree to their terms of service.</summary>
    public bool AcceptTermsOfService { get; init; }

    /// <summary>External Account Binding key id, for CAs that require one (ZeroSSL, Google, sectigo…).</summary>
    public string? EabKeyId { get; init; }

    /// <summary>External Account Binding HMAC key, base64url as the CA hands it out.</summary>
    public string? EabHmacKey { get; init; }

    /// <summary>The certificates to keep; one order each.</summary>
    public IReadOnlyList<AcmeCertificateRequest> Certificates { get; init; } = [];

    /// <summary>Challenge types in order of preference; the first one the CA offers for a name is used.</summary>
    public IReadOnlyList<string> ChallengeTypes { get; init; } = AcmeChallengeTypes.All;

    public CertificateKeyType KeyType { get; init; } = CertificateKeyType.EcdsaP256;

    /// <summary>A PEM bundle of CA certificates trusted for the directory's HTTPS in place of the system store (test CAs such as Pebble).</summary>
    public string? TrustedCaBundlePath { get; init; }

    /// <summary>How long one order may take from newOrder to the downloaded certificate.</summary>
    public TimeSpan OrderTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public RenewalPolicy Renewal { get; init; } = new();

    public static AcmeOptions ForHosts(params string[] hosts) =>
        new() { Certificates = hosts.Select(h => new AcmeCertificateRequest([h])).ToArray() };
}
