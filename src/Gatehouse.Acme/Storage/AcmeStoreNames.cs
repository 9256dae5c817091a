using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Acme.Storage;

/// <summary>The names the certificate manager stores under, shared by every <see cref="IAcmeStore"/>.</summary>
public static class AcmeStoreNames
{
    /// <summary>The account key (PKCS#8 PEM) for a directory: one account per CA, so staging and production never mix.</summary>
    public static string AccountKey(Uri directory) => $"account-{DirectoryId(directory)}.key.pem";

    /// <summary>The account URL ("kid") for a directory, so a restart does not need newAccount again.</summary>
    public static string AccountUrl(Uri directory) => $"account-{DirectoryId(directory)}.url";

    /// <summary>The certificate of a group: private key PEM then the chain PEM, in one blob so they change together.</summary>
    public static string Certificate(string name) => $"certificate-{Safe(name)}.pem";

    public static string AccountLock(Uri directory) => $"account-{DirectoryId(directory)}";

    public static string CertificateLock(string name) => $"certificate-{Safe(name)}";

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 200 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static string DirectoryId(Uri directory) =>
        directory.Host + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directory.AbsoluteUri)))[..12];

    // Host names are letters, digits, '-' and '.' already; '*' (wildcards) and anything else become '_'.
    private static string Safe(string name) =>
        new(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
}
