using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Cluster.Acme;

/// <summary>
/// ACME state at rest in Redis (account keys, certificates with their private keys, TLS-ALPN-01 certificates):
/// AES-256-GCM with the cluster's <c>encryptionKey</c>, the blob's name as associated data (a blob copied under another
/// name does not open). Layout: "GHS1", 12-byte nonce, 16-byte tag, ciphertext. A blob that does not open (another key,
/// tampered, another format) is treated as absent, never used.
/// </summary>
public sealed class SealedBlobs(byte[] key)
{
    public const int KeyLength = 32;
    private static readonly byte[] Magic = "GHS1"u8.ToArray();
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private readonly byte[] key = key.Length == KeyLength ? key : throw new ArgumentException($"the key must be {KeyLength} bytes", nameof(key));

    public byte[] Seal(string name, byte[] plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var sealedBlob = new byte[Magic.Length + NonceLength + TagLength + plaintext.Length];
        Magic.CopyTo(sealedBlob, 0);
        var nonce = sealedBlob.AsSpan(Magic.Length, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plaintext, sealedBlob.AsSpan(Magic.Length + NonceLength + TagLength), sealedBlob.AsSpan(Magic.Length + NonceLength, TagLength), Encoding.UTF8.GetBytes(name));
        return sealedBlob;
    }

    /// <summary>The plaintext, or null when the blob is not one this key sealed under this name.</summary>
    public byte[]? Open(string name, byte[]? sealedBlob)
    {
        if (sealedBlob is null || sealedBlob.Length < Magic.Length + NonceLength + TagLength || !sealedBlob.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        var plaintext = new byte[sealedBlob.Length - Magic.Length - NonceLength - TagLength];
        try
        {
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(sealedBlob.AsSpan(Magic.Length, NonceLength), sealedBlob.AsSpan(Magic.Length + NonceLength + TagLength),
                sealedBlob.AsSpan(Magic.Length + NonceLength, TagLength), plaintext, Encoding.UTF8.GetBytes(name));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>
    /// The key from the config's text: base64 of 32 bytes, <c>env:NAME</c> (an environment variable holding that) or
    /// <c>file:PATH</c> (a file holding it). Null and a problem to report when it is none of those.
    /// </summary>
    public static byte[]? ResolveKey(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        string? encoded = text;
        string source = "the value";
        if (text.StartsWith("env:", StringComparison.Ordinal))
        {
            source = $"environment variable {text[4..]}";
            encoded = Environment.GetEnvironmentVariable(text[4..]);
        }
        else if (text.StartsWith("file:", StringComparison.Ordinal))
        {
            source = $"file {text[5..]}";
            try
            {
                encoded = File.ReadAllText(text[5..]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problem = $"cannot read {source}: {ex.Message}";
                return null;
            }
        }

        if (string.IsNullOrWhiteSpace(encoded))
        {
            problem = $"{source} is empty";
            return null;
        }

        var buffer = new byte[KeyLength + 3];
        if (!Convert.TryFromBase64String(encoded.Trim(), buffer, out var length) || length != KeyLength)
        {
            problem = $"{source} is not the base64 of {KeyLength} random bytes (make one with: openssl rand -base64 32)";
            return null;
        }

        return buffer[..KeyLength];
    }
}
