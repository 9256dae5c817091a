using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;

namespace Gatehouse.Acme.Tests.Certificates;

public sealed class AcmeCertificateIdTests
{
    [Fact]
    public void Rfc9773_4_1_TheSpecExample_AkiAndSerialWithLeadingZero()
    {
        // RFC 9773 §4.1: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4 and serial
        // 00:87:65:43:21 give "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".
        using var certificate = Create(Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4"), [0x87, 0x65, 0x43, 0x21]);

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", AcmeCertificateId.For(certificate));
    }

    [Fact]
    public void Rfc9773_4_1_SerialWithoutHighBit_HasNoPadding()
    {
        using var certificate = Create([1, 2, 3], [0x12, 0x34]);

        Assert.Equal("AQID.EjQ", AcmeCertificateId.For(certificate));
    }

    [Fact]
    public void CertificateWithoutAki_CannotBeNamed()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        Assert.Throws<ArgumentException>(() => AcmeCertificateId.For(certificate));
    }

    private static X509Certificate2 Create(byte[] authorityKeyId, byte[] serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(authorityKeyId));
        return request.Create(new X500DistinguishedName("CN=issuer"), X509SignatureGenerator.CreateForECDsa(key),
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), serial);
    }
}
