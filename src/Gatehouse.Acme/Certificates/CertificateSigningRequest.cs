using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Certificates;

/// <summary>The kind of key a certificate is issued for.</summary>
public enum CertificateKeyType
{
    /// <summary>ECDSA on P-256: small, fast, accepted everywhere that matters (the default).</summary>
    EcdsaP256,
    /// <summary>ECDSA on P-384.</summary>
    EcdsaP384,
    /// <summary>RSA 2048, for clients that still lack ECDSA.</summary>
    Rsa2048,
    /// <summary>RSA 3072.</summary>
    Rsa3072,
}

/// <summary>Creates certificate keys and the PKCS#10 request that finalizes an order (RFC 8555 §7.4).</summary>
public static class CertificateSigningRequest
{
    public static AsymmetricAlgorithm CreateKey(CertificateKeyType type) => type switch
    {
        CertificateKeyType.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        CertificateKeyType.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        CertificateKeyType.Rsa2048 => RSA.Create(2048),
        CertificateKeyType.Rsa3072 => RSA.Create(3072),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// A DER CSR for <paramref name="hosts"/>: every name in subjectAltName (which is what CAs read), the first also as
    /// the subject CN (at most 64 characters, as X.520 allows), signed with the certificate key.
    /// </summary>
    public static byte[] Create(IReadOnlyList<string> hosts, AsymmetricAlgorithm key)
    {
        if (hosts.Count == 0)
        {
            throw new ArgumentException("a CSR needs at least one name", nameof(hosts));
        }

        var subject = hosts[0].Length <= 64 ? new X500DistinguishedName("CN=" + hosts[0]) : new X500DistinguishedName("");
        var request = key switch
        {
            ECDsa ecdsa => new CertificateRequest(subject, ecdsa, ecdsa.KeySize > 256 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("certificate keys are ECDSA or RSA", nameof(key)),
        };

        request.CertificateExtensions.Add(SubjectAlternativeNames.For(hosts));
        return request.CreateSigningRequest();
    }

    public static string ExportPrivateKeyPem(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem();
}
