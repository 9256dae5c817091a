using System.Text.RegularExpressions;
using Gatehouse.Acme;
using Gatehouse.Acme.Certificates;
using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// <c>tls.acme</c> as the certificate manager's <see cref="AcmeOptions"/>, and the manager's validation errors with their
/// paths in Gatehouse's config (<c>certificates[2].hosts[0]</c> becomes <c>tls.acme.hosts[2]</c> or
/// <c>tls.acme.certificates[n].hosts[0]</c>, as the host came from <c>hosts</c> or a group).
/// </summary>
public static partial class AcmeSettings
{
    public const string Path = "tls.acme";

    /// <summary>The options; <paramref name="caBundlePath"/> is the resolved <c>caBundle</c>. Call only on a validated section (or for validation).</summary>
    public static AcmeOptions ToOptions(AcmeDefinition acme, string? caBundlePath) => new()
    {
        DirectoryUrl = Uri.TryCreate(acme.Directory, UriKind.Absolute, out var directory) ? directory : new Uri(AcmeDefinition.LetsEncrypt),
        Email = acme.Email is { } email ? [email] : [],
        AcceptTermsOfService = acme.AcceptTermsOfService,
        EabKeyId = acme.ExternalAccountBinding?.KeyId,
        EabHmacKey = acme.ExternalAccountBinding?.HmacKey,
        Certificates = acme.Groups().Select(g => new AcmeCertificateRequest(g)).ToArray(),
        ChallengeTypes = acme.Challenges,
        KeyType = KeyType(acme.KeyType) ?? CertificateKeyType.EcdsaP256,
        TrustedCaBundlePath = caBundlePath,
    };

    public static CertificateKeyType? KeyType(string name) => name switch
    {
        AcmeKeyTypes.EcdsaP256 => CertificateKeyType.EcdsaP256,
        AcmeKeyTypes.EcdsaP384 => CertificateKeyType.EcdsaP384,
        AcmeKeyTypes.Rsa2048 => CertificateKeyType.Rsa2048,
        AcmeKeyTypes.Rsa3072 => CertificateKeyType.Rsa3072,
        _ => null,
    };

    /// <summary>The library's checks, with every path (also those quoted in messages) as it is in the config file.</summary>
    public static IEnumerable<ConfigError> Validate(AcmeDefinition acme)
    {
        var singles = acme.Hosts.Count;
        foreach (var error in AcmeOptionsValidator.Validate(ToOptions(acme, caBundlePath: null)))
        {
            yield return new ConfigError(ConfigPath(error.Path, singles), OptionPath().Replace(error.Message, m => ConfigPath(m.Value, singles)));
        }
    }

    internal static string ConfigPath(string optionPath, int singles)
    {
        var certificate = CertificatePath().Match(optionPath);
        if (certificate.Success)
        {
            var index = int.Parse(certificate.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var rest = certificate.Groups[2].Value;
            if (index < singles)
            {
                // hosts[i] stands alone: its only host is hosts[i] itself.
                return $"{Path}.hosts[{index}]";
            }

            return $"{Path}.certificates[{index - singles}]{rest}";
        }

        return Path + "." + optionPath switch
        {
            "directoryUrl" => "directory",
            "eabKeyId" => "externalAccountBinding.keyId",
            "eabHmacKey" => "externalAccountBinding.hmacKey",
            "challengeTypes" => "challenges",
            var p when p.StartsWith("challengeTypes[", StringComparison.Ordinal) => "challenges" + p["challengeTypes".Length..],
            var p when p.StartsWith("email[", StringComparison.Ordinal) => "email",
            var p => p,
        };
    }

    [GeneratedRegex(@"^certificates\[(\d+)\](.*)$")]
    private static partial Regex CertificatePath();

    [GeneratedRegex(@"certificates\[\d+\]\.hosts\[\d+\]")]
    private static partial Regex OptionPath();
}
