using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;

namespace Gatehouse.Tls;

/// <summary>A server (or client) certificate with its private key and the intermediates sent with it.</summary>
public sealed record CertificateWithChain(X509Certificate2 Certificate, X509Certificate2Collection Intermediates);

/// <summary>
/// Reads PEM certificates and keys, returning either the result or one short reason fit for a config error
/// (<c>tls.certificates[1].key: not a PEM private key</c>). Never throws for bad input.
/// </summary>
public static class PemFiles
{
    public static CertificateWithChain? LoadCertificateWithKey(string certificatePath, string keyPath, out string? certificateError, out string? keyError)
    {
        certificateError = null;
        keyError = null;
        var certificates = LoadCertificates(certificatePath, out certificateError);
        var keyPem = ReadKey(keyPath, out keyError);
        if (certificates is null || keyPem is null)
        {
            certificates?.DisposeAll();
            return null;
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(PemOf(certificates[0]), keyPem);
        }
        catch (ArgumentException)
        {
            // .NET: "The provided key does not match the public key for this certificate."
            keyError = "the key does not match the certificate";
            certificates.DisposeAll();
            return null;
        }
        catch (CryptographicException ex)
        {
            keyError = $"cannot use the key with the certificate: {ex.Message}";
            certificates.DisposeAll();
            return null;
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++)
        {
            intermediates.Add(certificates[i]);
        }

        certificates[0].Dispose();
        return new CertificateWithChain(EphemeralKeys.UsableBySslStream(leaf), intermediates);
    }

    /// <summary>Every certificate of a PEM file, in order; null (with the reason) when the file has none or cannot be read.</summary>
    public static X509Certificate2Collection? LoadCertificates(string path, out string? error)
    {
        if (ReadText(path, out error) is not { } text)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(text);
        }
        catch (CryptographicException)
        {
            collection.DisposeAll();
            error = "not a PEM certificate (a damaged CERTIFICATE block)";
            return null;
        }

        if (collection.Count == 0)
        {
            error = "not a PEM certificate (no CERTIFICATE block)";
            return null;
        }

        error = null;
        return collection;
    }

    /// <summary>Whether a leaf may serve TLS: an Extended Key Usage, when present, must allow serverAuth.</summary>
    public static string? ServerUsageProblem(X509Certificate2 certificate)
    {
        var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return usage is null || usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == CustomRootTrust.ServerAuthentication)
            ? null
            : "the certificate is not for TLS servers (its extended key usage lacks serverAuth)";
    }

    /// <summary>The DNS and IP names of a certificate's subject alternative names.</summary>
    public static IReadOnlyList<string> Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var san in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(san.EnumerateDnsNames());
            names.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
        }

        return names;
    }

    /// <summary>A file's text; null (with the reason) when it cannot be read.</summary>
    private static string? ReadText(string path, out string? error)
    {
        try
        {
            error = null;
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // The full path: a relative one in the config is relative to the config file's folder, which may surprise.
            error = ex is FileNotFoundException or DirectoryNotFoundException ? $"file not found: {path}" : $"cannot read the file: {ex.Message}";
            return null;
        }
    }

    private static string? ReadKey(string path, out string? error)
    {
        if (ReadText(path, out error) is not { } text)
        {
            return null;
        }

        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label.SequenceEqual("ENCRYPTED PRIVATE KEY"))
            {
                error = "an encrypted private key (Gatehouse needs it unencrypted, readable only by its user)";
                return null;
            }

            if (label.SequenceEqual("PRIVATE KEY") || label.SequenceEqual("RSA PRIVATE KEY") || label.SequenceEqual("EC PRIVATE KEY"))
            {
                error = null;
                return rest[fields.Location].ToString();
            }

            rest = rest[fields.Location.End..];
        }

        error = "not a PEM private key";
        return null;
    }

    private static string PemOf(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    private static void DisposeAll(this X509Certificate2Collection collection)
    {
        foreach (var certificate in collection)
        {
            certificate.Dispose();
        }
    }
}
