using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Certificates;

/// <summary>
/// Whether a peer's certificate chains to a CA bundle instead of the system store (custom root trust), helped by the
/// intermediates the peer sent. The one chain check for every private CA: the ACME directory's, HTTPS backends' and
/// the client certificates an HTTPS listener accepts. Revocation is not checked (a private CA rarely publishes it).
/// </summary>
public static class CustomRootTrust
{
    /// <summary>The extended key usage of TLS servers (RFC 5280 §4.2.1.12, id-kp-serverAuth).</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>The extended key usage of TLS clients (id-kp-clientAuth).</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="roots"/>; <paramref name="usage"/>, when
    /// given, is an extended key usage the chain must allow.
    /// </summary>
    public static bool IsTrusted(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection roots, string? usage)
    {
        // A plain X509Certificate is copied into an X509Certificate2 for the chain, and that copy is ours to dispose.
        using var copy = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var leaf = copy ?? (X509Certificate2)certificate;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (usage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        }

        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
