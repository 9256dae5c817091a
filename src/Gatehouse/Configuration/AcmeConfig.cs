using System.Text.Json;

namespace Gatehouse.Configuration;

/// <summary>
/// <c>tls.acme</c>: certificates obtained and renewed automatically from an ACME CA (RFC 8555; Let's Encrypt by
/// default). Empty <see cref="Hosts"/> and <see cref="Certificates"/> turn it off. See docs/acme.md.
/// </summary>
public sealed record AcmeDefinition : ConfigSection
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>The CA's directory URL.</summary>
    public string Directory { get; set; } = LetsEncrypt;

    /// <summary>Contact address for the account (expiry and policy notices from the CA).</summary>
    public string? Email { get; set; }

    /// <summary>Agreement to the CA's terms of service; required (true) as soon as a host is listed.</summary>
    public bool AcceptTermsOfService { get; set; }

    /// <summary>Host names that each get their own certificate.</summary>
    public IReadOnlyList<string> Hosts { get; set; } = [];

    /// <summary>Certificates naming several hosts (one SAN certificate per entry).</summary>
    public IReadOnlyList<AcmeCertificateDefinition> Certificates { get; set; } = [];

    /// <summary>Challenge types in order of preference: <c>http-01</c> (plain-HTTP listener), <c>tls-alpn-01</c> (HTTPS listener).</summary>
    public IReadOnlyList<string> Challenges { get; set; } = ["http-01", "tls-alpn-01"];

    /// <summary>External Account Binding, for CAs that require one.</summary>
    public ExternalAccountBindingDefinition? ExternalAccountBinding { get; set; }

    /// <summary>PEM file of CAs trusted for the directory's HTTPS instead of the system store (private or test CAs).</summary>
    public string? CaBundle { get; set; }

    /// <summary>The certificates' key: <c>ecdsa-p256</c> (default), <c>ecdsa-p384</c>, <c>rsa-2048</c>, <c>rsa-3072</c>.</summary>
    public string KeyType { get; set; } = AcmeKeyTypes.EcdsaP256;

    /// <summary>Every certificate to keep, as host groups: each of <see cref="Hosts"/> alone, then each of <see cref="Certificates"/>.</summary>
    public IEnumerable<IReadOnlyList<string>> Groups() =>
        Hosts.Select(h => (IReadOnlyList<string>)[h]).Concat(Certificates.Where(c => c is not null).Select(c => c.Hosts));

    public bool Enabled => Hosts.Count > 0 || Certificates.Any(c => c is not null && c.Hosts.Count > 0);

    /// <summary>Whether two sections hold the same settings (the records hold lists, which compare by reference).</summary>
    public static bool SameSettings(AcmeDefinition a, AcmeDefinition b) =>
        JsonSerializer.Serialize(a, ConfigJson.Info<AcmeDefinition>(ConfigJson.Write)) == JsonSerializer.Serialize(b, ConfigJson.Info<AcmeDefinition>(ConfigJson.Write));
}

public sealed record AcmeCertificateDefinition : ConfigSection
{
    public IReadOnlyList<string> Hosts { get; set; } = [];
}

public sealed record ExternalAccountBindingDefinition : ConfigSection
{
    public string? KeyId { get; set; }

    /// <summary>The HMAC key, base64url, as the CA hands it out.</summary>
    public string? HmacKey { get; set; }
}

public static class AcmeKeyTypes
{
    public const string EcdsaP256 = "ecdsa-p256";
    public const string EcdsaP384 = "ecdsa-p384";
    public const string Rsa2048 = "rsa-2048";
    public const string Rsa3072 = "rsa-3072";

    public static IReadOnlyList<string> All { get; } = [EcdsaP256, EcdsaP384, Rsa2048, Rsa3072];
}
