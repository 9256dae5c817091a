using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gatehouse.Acme.Challenges;

namespace Gatehouse.Acme.Tests.Challenges;

public sealed class TlsAlpn01Tests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rfc8737_3_Certificate_HasTheCriticalAcmeIdentifier_WithTheDerOctetStringOfTheKeyAuthorizationHash()
    {
        using var certificate = TlsAlpn01.CreateCertificate("www.gatehouse.test", "token.thumbprint", Now);

        var extension = Assert.Single(certificate.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == "1.3.6.1.5.5.7.1.31");
        Assert.True(extension.Critical);
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("token.thumbprint")), reader.ReadOctetString());
        Assert.False(reader.HasData);
        Assert.Equal(0x04, extension.RawData[0]); // OCTET STRING
        Assert.Equal(32, extension.RawData[1]);
    }

    [Fact]
    public void Rfc8737_3_Certificate_NamesExactlyTheHost_AndIsSelfSignedWithItsKey()
    {
        using var certificate = TlsAlpn01.CreateCertificate("www.gatehouse.test", "k", Now);

        var san = Assert.Single(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["www.gatehouse.test"], san.EnumerateDnsNames());
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(certificate.SubjectName.Name, certificate.IssuerName.Name);
        Assert.True(certificate.NotBefore.ToUniversalTime() <= Now.UtcDateTime && Now.UtcDateTime < certificate.NotAfter.ToUniversalTime());
    }

    [Fact]
    public async Task Responses_StoreAndForget_ByTokenAndHost()
    {
        var responses = new AcmeChallengeResponses();
        using var certificate = TlsAlpn01.CreateCertificate("www.gatehouse.test", "k", Now);

        await responses.AddHttp01Async("tok", "tok.thumb");
        await responses.AddTlsAlpn01Async("www.gatehouse.test", certificate);

        Assert.Equal("tok.thumb", await responses.GetHttp01Async("tok"));
        Assert.Null(await responses.GetHttp01Async("TOK")); // tokens are case-sensitive
        Assert.Same(certificate, await responses.GetTlsAlpn01Async("WWW.Gatehouse.test.")); // host names are not, and may end in a dot
        Assert.True(responses.HasTlsAlpn01);

        await responses.RemoveHttp01Async("tok");
        await responses.RemoveTlsAlpn01Async("www.gatehouse.test");

        Assert.Null(await responses.GetHttp01Async("tok"));
        Assert.Null(await responses.GetTlsAlpn01Async("www.gatehouse.test"));
        Assert.False(responses.HasTlsAlpn01);
    }
}
