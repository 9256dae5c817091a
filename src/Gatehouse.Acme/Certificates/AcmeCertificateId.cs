using System.Buffers.Text;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Certificates;

/// <summary>
/// The ARI certificate identifier (RFC 9773 §4.1): base64url(AKI keyIdentifier) "." base64url(serial number DER
/// content octets), used in renewalInfo URLs and in newOrder's "replaces".
/// </summary>
public static class AcmeCertificateId
{
    public static string For(X509Certificate2 certificate)
    {
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()
            ?? throw new ArgumentException("the certificate has no Authority Key Identifier", nameof(certificate));
        var keyId = aki.KeyIdentifier ?? throw new ArgumentException("the Authority Key Identifier has no keyIdentifier", nameof(certificate));
        return Base64Url.EncodeToString(keyId.Span) + "." + Base64Url.EncodeToString(SerialContentOctets(certificate));
    }

    /// <summary>
    /// The serial exactly as its DER INTEGER content octets (with the leading zero that keeps it positive), which is
    /// what ARI asks for. X509Certificate2.SerialNumberBytes is little-endian, so read the TBS instead of reversing.
    /// </summary>
    private static byte[] SerialContentOctets(X509Certificate2 certificate)
    {
        var reader = new AsnReader(certificate.RawDataMemory, AsnEncodingRules.DER);
        var tbs = reader.ReadSequence().ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
        {
            tbs.ReadEncodedValue(); // [0] version
        }

        return tbs.ReadIntegerBytes().ToArray();
    }
}
