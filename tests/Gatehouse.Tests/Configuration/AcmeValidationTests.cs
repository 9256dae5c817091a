using Gatehouse.Acme;
using Gatehouse.Acme.Certificates;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Configuration;

/// <summary><c>tls.acme</c>: the library's checks reported with the paths of Gatehouse's config, and the options built from it.</summary>
public class AcmeValidationTests
{
    private static readonly AcmeDefinition Valid = new()
    {
        Email = "ops@example.test",
        AcceptTermsOfService = true,
        Hosts = ["www.example.test"],
        Certificates = [new AcmeCertificateDefinition { Hosts = ["shop.example.test", "checkout.example.test"] }],
    };

    private static GatehouseConfig Https(AcmeDefinition acme) => SampleConfig.Valid() with
    {
        Listeners = [new ListenerDefinition { Port = 8443, Tls = new ListenerTlsDefinition() }],
        Tls = new TlsDefinition { Acme = acme },
    };

    private static List<string> Errors(AcmeDefinition acme) => ConfigValidator.Validate(Https(acme)).Select(e => e.ToString()).ToList();

    [Fact]
    public void ValidSection_IsACertificateSourceForHttpsListeners()
    {
        Assert.Empty(Errors(Valid));
    }

    [Fact]
    public void NoHosts_IsOff_AndNeedsNoTermsOfService()
    {
        var errors = Errors(new AcmeDefinition());

        Assert.DoesNotContain(errors, e => e.StartsWith("tls.acme", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("listeners[0].tls: an HTTPS listener needs a certificate", StringComparison.Ordinal));
    }

    [Fact]
    public void LibraryErrors_CarryConfigPaths()
    {
        var errors = Errors(Valid with
        {
            Directory = "http://acme.example.test/directory",
            Email = "nobody",
            AcceptTermsOfService = false,
            Hosts = ["www.example.test", "*.example.test"],
            Certificates = [new AcmeCertificateDefinition { Hosts = ["shop.example.test", "www.example.test"] }, new AcmeCertificateDefinition()],
            Challenges = ["http-01", "dns-01"],
            ExternalAccountBinding = new ExternalAccountBindingDefinition { KeyId = "kid-1" },
        });

        Assert.Contains(errors, e => e.StartsWith("tls.acme.directory: must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains("tls.acme.email: is not an e-mail address", errors);
        Assert.Contains(errors, e => e.StartsWith("tls.acme.acceptTermsOfService: must be true", StringComparison.Ordinal));
        Assert.Contains("tls.acme.hosts[1]: wildcard names need dns-01, which Gatehouse does not answer", errors);
        Assert.Contains("tls.acme.certificates[0].hosts[1]: 'www.example.test' is already in tls.acme.hosts[0]", errors);
        Assert.Contains("tls.acme.certificates[1].hosts: needs at least one host name", errors);
        Assert.Contains("tls.acme.challenges[1]: 'dns-01' is not one of http-01, tls-alpn-01", errors);
        Assert.Contains("tls.acme.externalAccountBinding.hmacKey: External Account Binding needs both the key id and the HMAC key", errors);
    }

    [Fact]
    public void OwnChecks_DirectoryKeyTypeCaBundleUnknownProperties()
    {
        var unknown = new Dictionary<string, System.Text.Json.JsonElement> { ["hots"] = default };
        var errors = Errors(Valid with
        {
            Directory = "not a url",
            KeyType = "dsa",
            CaBundle = "",
            UnknownProperties = unknown,
            ExternalAccountBinding = new ExternalAccountBindingDefinition { KeyId = "k", HmacKey = "aGVsbG8", UnknownProperties = unknown },
        });

        Assert.Contains("tls.acme.directory: 'not a url' is not an absolute URL", errors);
        Assert.DoesNotContain(errors, e => e.StartsWith("tls.acme.directory: must be", StringComparison.Ordinal));
        Assert.Contains("tls.acme.keyType: 'dsa' is not one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072", errors);
        Assert.Contains("tls.acme.caBundle: '' is not a file path", errors);
        Assert.Contains("tls.acme.hots: unknown setting; did you mean 'hosts'?", errors);
        Assert.Contains("tls.acme.externalAccountBinding.hots: unknown setting", errors);
    }

    [Theory]
    [InlineData("http-01", false)]
    [InlineData("tls-alpn-01", true)]
    public void Challenges_NeedAListenerToAnswerThem(string challenge, bool answerable)
    {
        // Https() has one HTTPS listener and no plain one.
        var errors = Errors(Valid with { Challenges = [challenge] });

        Assert.Equal(!answerable, errors.Contains(
            "tls.acme.challenges: no listener can answer them: http-01 needs a plain-HTTP listener (port 80 for a public CA), tls-alpn-01 an HTTPS listener (port 443)"));
    }

    [Fact]
    public void ToOptions_MapsEverySetting()
    {
        var options = AcmeSettings.ToOptions(Valid with
        {
            Directory = "https://ca.example.test/dir",
            Challenges = ["tls-alpn-01"],
            ExternalAccountBinding = new ExternalAccountBindingDefinition { KeyId = "kid", HmacKey = "aGVsbG8" },
            KeyType = AcmeKeyTypes.Rsa3072,
        }, "/etc/gatehouse/ca.pem");

        Assert.Equal(new Uri("https://ca.example.test/dir"), options.DirectoryUrl);
        Assert.Equal(["ops@example.test"], options.Email);
        Assert.True(options.AcceptTermsOfService);
        Assert.Equal([["www.example.test"], ["shop.example.test", "checkout.example.test"]], options.Certificates.Select(c => c.Hosts.ToArray()));
        Assert.Equal([AcmeChallengeTypes.TlsAlpn01], options.ChallengeTypes);
        Assert.Equal(("kid", "aGVsbG8"), (options.EabKeyId, options.EabHmacKey));
        Assert.Equal(CertificateKeyType.Rsa3072, options.KeyType);
        Assert.Equal("/etc/gatehouse/ca.pem", options.TrustedCaBundlePath);
        Assert.Equal(AcmeDefinition.LetsEncrypt, new AcmeDefinition().Directory);
        Assert.Equal(AcmeOptions.LetsEncryptProduction, AcmeDefinition.LetsEncrypt);
    }

    [Fact]
    public void SameSettings_ComparesListsByContent()
    {
        Assert.True(AcmeDefinition.SameSettings(Valid, Valid with { Hosts = ["www.example.test"] }));
        Assert.False(AcmeDefinition.SameSettings(Valid, Valid with { Hosts = ["www2.example.test"] }));
    }
}
