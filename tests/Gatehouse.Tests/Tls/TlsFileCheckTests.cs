using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Configuration;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

/// <summary>The load-time check opens the files a config names; these tests give it real files in a temp folder.</summary>
public sealed class TlsFileCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-tls-check-").FullName;

    private static (string Certificate, string Key) SelfSigned(string directory, string name, string? eku = "1.3.6.1.5.5.7.3.1")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        if (eku is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        }

        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var paths = (Path.Combine(directory, name + ".pem"), Path.Combine(directory, name + ".key"));
        File.WriteAllText(paths.Item1, certificate.ExportCertificatePem());
        File.WriteAllText(paths.Item2, key.ExportPkcs8PrivateKeyPem());
        return paths;
    }

    private List<string> Check(params CertificateFileDefinition[] certificates) =>
        TlsFileCheck.Check(new GatehouseConfig { Tls = new TlsDefinition { Certificates = certificates } }, _directory).Select(e => e.ToString()).ToList();

    [Fact]
    public void GoodFiles_RelativeToTheConfigFolder_NoErrors()
    {
        SelfSigned(_directory, "good.test");

        Assert.Empty(Check(new CertificateFileDefinition { Certificate = "good.test.pem", Key = "good.test.key" }));
    }

    [Fact]
    public void EachBadFile_IsReportedWithItsSettingPath()
    {
        var good = SelfSigned(_directory, "good.test");
        var other = SelfSigned(_directory, "other.test");
        File.WriteAllText(Path.Combine(_directory, "junk.pem"), "junk");
        var clientOnly = SelfSigned(_directory, "client.test", eku: "1.3.6.1.5.5.7.3.2");

        var errors = Check(
            new CertificateFileDefinition { Certificate = "missing.pem", Key = good.Key },
            new CertificateFileDefinition { Certificate = good.Certificate, Key = good.Certificate },
            new CertificateFileDefinition { Certificate = "junk.pem", Key = good.Key },
            new CertificateFileDefinition { Certificate = good.Certificate, Key = other.Key },
            new CertificateFileDefinition { Certificate = clientOnly.Certificate, Key = clientOnly.Key });

        Assert.Equal(
            [
                $"tls.certificates[0].certificate: file not found: {Path.Combine(_directory, "missing.pem")}",
                "tls.certificates[1].key: not a PEM private key",
                "tls.certificates[2].certificate: not a PEM certificate (no CERTIFICATE block)",
                "tls.certificates[3].key: the key does not match the certificate",
                "tls.certificates[4].certificate: the certificate is not for TLS servers (its extended key usage lacks serverAuth)",
            ],
            errors);
    }

    [Fact]
    public void CaBundlesAndUpstreamFiles_AreChecked()
    {
        var config = new GatehouseConfig
        {
            Listeners = [new ListenerDefinition { Port = 1, Tls = new() { ClientCertificate = new() { Mode = "require", CaBundle = "nope.pem" } } }],
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["api"] = new() { HttpClient = new() { Tls = new() { CaBundle = "nope.pem", ClientCertificate = "nope.pem", ClientKey = "nope.key" } } },
            },
        };

        var errors = TlsFileCheck.Check(config, _directory).Select(e => e.Path).ToList();

        Assert.Equal(
            ["listeners[0].tls.clientCertificate.caBundle", "clusters.api.httpClient.tls.caBundle", "clusters.api.httpClient.tls.clientCertificate", "clusters.api.httpClient.tls.clientKey"],
            errors);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
