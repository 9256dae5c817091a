using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;

namespace Gatehouse.Acme.Tests.Certificates;

public sealed class CertificateSigningRequestTests
{
    [Theory]
    [InlineData(CertificateKeyType.EcdsaP256)]
    [InlineData(CertificateKeyType.Rsa2048)]
    public void Rfc8555_7_4_Csr_IsSigned_NamesEveryHostInSan_AndTheFirstAsCn(CertificateKeyType keyType)
    {
        using var key = CertificateSigningRequest.CreateKey(keyType);

        var der = CertificateSigningRequest.Create(["www.gatehouse.test", "gatehouse.test"], key);

        // LoadSigningRequest checks the signature (unless told to skip it).
        var request = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var extension = Assert.Single(request.CertificateExtensions, e => e.Oid?.Value == "2.5.29.17");
        var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
        Assert.Equal(["www.gatehouse.test", "gatehouse.test"], san.EnumerateDnsNames());
        Assert.Equal("CN=www.gatehouse.test", request.SubjectName.Name);
        Assert.Equal(keyType == CertificateKeyType.EcdsaP256 ? "1.2.840.10045.2.1" : "1.2.840.113549.1.1.1", request.PublicKey.Oid.Value);
    }

    [Fact]
    public void DefaultKey_IsEcdsaP256()
    {
        Assert.Equal(CertificateKeyType.EcdsaP256, new AcmeOptions().KeyType);
        using var key = Assert.IsAssignableFrom<ECDsa>(CertificateSigningRequest.CreateKey(CertificateKeyType.EcdsaP256));
        Assert.Equal(256, key.KeySize);
    }

    [Fact]
    public void Csr_WithoutHosts_IsRefused()
    {
        using var key = CertificateSigningRequest.CreateKey(CertificateKeyType.EcdsaP256);

        Assert.Throws<ArgumentException>(() => CertificateSigningRequest.Create([], key));
    }
}
