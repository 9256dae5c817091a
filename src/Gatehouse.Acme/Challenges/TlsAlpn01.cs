using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gatehouse.Acme.Certificates;

namespace Gatehouse.Acme.Challenges;

/// <summary>
/// TLS-ALPN-01 (RFC 8737): the CA connects to the host on port 443 offering only ALPN "acme-tls/1" and expects a
/// self-signed certificate for exactly that name carrying the critical acmeIdentifier extension.
/// </summary>
public static class TlsAlpn01
{
    /// <summary>The ALPN protocol name the validation handshake offers (RFC 8737 §6.2).</summary>
    public const string AlpnProtocol = "acme-tls/1";

    /// <summary>id-pe-acmeIdentifier (RFC 8737 §6.1).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    /// <summary>The extension value: the DER OCTET STRING of SHA-256(key authorization) (RFC 8737 §3).</summary>
    public static byte[] AcmeIdentifierExtensionValue(string keyAuthorization)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization)));
        return writer.Encode();
    }

    /// <summary>A short-lived self-signed P-256 certificate for <paramref name="host"/> answering the challenge.</summary>
    public static X509Certificate2 CreateCertificate(string host, string keyAuthorization, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + (host.Length <= 64 ? host : "acme-tls-alpn-01")), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectAlternativeNames.For([host]));
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, AcmeIdentifierExtensionValue(keyAuthorization), critical: true));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }
}
