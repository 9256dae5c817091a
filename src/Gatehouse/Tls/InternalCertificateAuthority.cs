using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;

namespace Gatehouse.Tls;

/// <summary>
/// A local CA, like Caddy's <c>tls internal</c>: a root created on first use and kept in <c>{storage}/internal</c>
/// (folder 0700, key 0600), and short-lived leaf certificates issued from it in memory. Clients trust it by trusting
/// <see cref="RootPath"/> (for example <c>curl --cacert</c>).
/// </summary>
public sealed class InternalCertificateAuthority : IDisposable
{
    public static readonly TimeSpan RootLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(7);

    private readonly X509Certificate2 _root;

    private InternalCertificateAuthority(X509Certificate2 root, string rootPath)
    {
        _root = root;
        RootPath = rootPath;
    }

    public string RootPath { get; }

    public X509Certificate2 Root => _root;

    /// <summary>Loads the CA from <paramref name="storage"/>, creating it (and the folder) on first use.</summary>
    public static InternalCertificateAuthority OpenOrCreate(string storage, TimeProvider time)
    {
        var directory = Path.Combine(storage, "internal");
        var rootPath = Path.Combine(directory, "root.pem");
        var keyPath = Path.Combine(directory, "root.key");
        CreatePrivateDirectory(storage);
        CreatePrivateDirectory(directory);
        if (File.Exists(rootPath) && File.Exists(keyPath))
        {
            if (!OperatingSystem.IsWindows())
            {
                // Tighten what an earlier run, a restore or a copy may have loosened.
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return new InternalCertificateAuthority(X509Certificate2.CreateFromPemFile(rootPath, keyPath), rootPath);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Gatehouse Local Root CA, O=Gatehouse", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        var root = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(RootLifetime));
        WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(rootPath, root.ExportCertificatePem());
        return new InternalCertificateAuthority(root, rootPath);
    }

    /// <summary>A leaf for these hosts (DNS names, wildcards or IP addresses), valid from a few minutes ago for <see cref="LeafLifetime"/>.</summary>
    public CertificateWithChain Issue(IReadOnlyList<string> hosts, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectAlternativeNames.For(hosts));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CustomRootTrust.ServerAuthentication)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        var now = time.GetUtcNow();
        var notAfter = now.Add(LeafLifetime) < _root.NotAfter ? now.Add(LeafLifetime) : new DateTimeOffset(_root.NotAfter.ToUniversalTime());
        using var issued = request.Create(_root, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        return new CertificateWithChain(EphemeralKeys.UsableBySslStream(issued.CopyWithPrivateKey(key)), []);
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    public void Dispose() => _root.Dispose();
}
