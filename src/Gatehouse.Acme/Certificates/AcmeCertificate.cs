using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gatehouse.Acme.Certificates;

/// <summary>Where a published certificate came from.</summary>
public enum AcmeCertificateSource
{
    /// <summary>Loaded from the store (issued earlier, or by another instance).</summary>
    Store,
    /// <summary>Just issued by the CA.</summary>
    Issued,
}

/// <summary>A certificate ready to serve: the leaf with its private key, and the chain to send after it.</summary>
public sealed record AcmeCertificate(
    string Name,
    IReadOnlyList<string> Hosts,
    X509Certificate2 Certificate,
    X509Certificate2Collection Chain,
    AcmeCertificateSource Source)
{
    public DateTimeOffset NotBefore => new(Certificate.NotBefore.ToUniversalTime());

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());

    /// <summary>The stored form: the private key PEM, then the chain PEM as the CA sent it (leaf first).</summary>
    internal static byte[] Encode(string privateKeyPem, string chainPem) =>
        Encoding.UTF8.GetBytes(privateKeyPem.TrimEnd() + "\n" + chainPem.TrimEnd() + "\n");

    internal static AcmeCertificate Decode(string name, IReadOnlyList<string> hosts, byte[] stored, AcmeCertificateSource source)
    {
        var pem = Encoding.UTF8.GetString(stored);
        // CreateFromPem takes the first CERTIFICATE and the first private key of the text; the key is first, then the leaf.
        var leaf = EphemeralKeys.UsableBySslStream(X509Certificate2.CreateFromPem(pem, pem));
        var all = new X509Certificate2Collection();
        all.ImportFromPem(pem);
        var chain = new X509Certificate2Collection();
        foreach (var certificate in all.Skip(1))
        {
            chain.Add(certificate);
        }

        all[0].Dispose();
        return new AcmeCertificate(name, hosts, leaf, chain, source);
    }

    /// <summary>Whether the certificate names exactly <paramref name="hosts"/> (configuration may have changed since).</summary>
    public bool Covers(IReadOnlyList<string> hosts)
    {
        var names = Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(e => e.EnumerateDnsNames().Concat(e.EnumerateIPAddresses().Select(a => a.ToString())))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return hosts.All(names.Contains);
    }
}

/// <summary>A certificate was published: serve it for its hosts from now on.</summary>
public sealed record AcmeCertificatePublished(AcmeCertificate Certificate);

/// <summary>Obtaining or renewing a certificate failed; the current one (if any) stays served until <see cref="NextAttempt"/>.</summary>
public sealed record AcmeRenewalFailed(string Name, Exception Error, int ConsecutiveFailures, DateTimeOffset NextAttempt, AcmeCertificate? StillServing);

/// <summary>The manager will next act for a certificate at <see cref="At"/> (renewal, ARI re-check or retry).</summary>
public sealed record AcmeRenewalScheduled(string Name, DateTimeOffset At, DateTimeOffset RenewAt);
