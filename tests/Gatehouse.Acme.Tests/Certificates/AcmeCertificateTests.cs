using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;

namespace Gatehouse.Acme.Tests.Certificates;

public sealed class AcmeCertificateTests
{
    [Fact]
    public void StoredForm_RoundTrips_KeyLeafAndIntermediates()
    {
        var (keyPem, chainPem, leafThumbprint, issuerThumbprint) = CreateChain(["www.gatehouse.test", "gatehouse.test"]);

        var stored = AcmeCertificate.Encode(keyPem, chainPem);
        var certificate = AcmeCertificate.Decode("www.gatehouse.test", ["www.gatehouse.test"], stored, AcmeCertificateSource.Store);

        Assert.Equal(leafThumbprint, certificate.Certificate.Thumbprint);
        Assert.True(certificate.Certificate.HasPrivateKey);
        Assert.Equal(issuerThumbprint, Assert.Single(certificate.Chain).Thumbprint);
        Assert.Equal(AcmeCertificateSource.Store, certificate.Source);
    }

    [Fact]
    public void Covers_AllConfiguredHosts_CaseInsensitively()
    {
        var (keyPem, chainPem, _, _) = CreateChain(["www.gatehouse.test", "gatehouse.test"]);
        var certificate = AcmeCertificate.Decode("x", ["x"], AcmeCertificate.Encode(keyPem, chainPem), AcmeCertificateSource.Store);

        Assert.True(certificate.Covers(["WWW.gatehouse.test"]));
        Assert.True(certificate.Covers(["www.gatehouse.test", "gatehouse.test"]));
        Assert.False(certificate.Covers(["www.gatehouse.test", "api.gatehouse.test"])); // a host was added: order again
    }

    [Fact]
    public void CorruptStoredForm_ThrowsCryptographicException()
    {
        Assert.ThrowsAny<CryptographicException>(() =>
            AcmeCertificate.Decode("x", ["x"], "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"u8.ToArray(), AcmeCertificateSource.Store));
    }

    private static (string KeyPem, string ChainPem, string Leaf, string Issuer) CreateChain(string[] hosts)
    {
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerRequest = new CertificateRequest("CN=issuer", issuerKey, HashAlgorithmName.SHA256);
        issuerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var issuer = issuerRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(10));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hosts[0], key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        using var leaf = request.Create(issuer, now.AddDays(-1), now.AddDays(5), [7, 7]);
        return (key.ExportPkcs8PrivateKeyPem(), leaf.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem(), leaf.Thumbprint, issuer.Thumbprint);
    }
}
