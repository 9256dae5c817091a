using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Protection;

/// <summary>
/// Password hashes for basic auth: <c>$pbkdf2-sha256$ITERATIONS$SALT$HASH</c>, PBKDF2 with HMAC-SHA256 (RFC 8018), salt
/// and hash in base64 (RFC 4648 §4, padding optional). The same shape as passlib's and Django's PBKDF2 hashes, so the
/// parts are easy to recognise; produced by <c>gatehouse hash-password</c>.
/// </summary>
public static class PasswordHash
{
    public const string Prefix = "$pbkdf2-sha256$";

    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    public const int MinIterations = 1_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{iterations}${Base64(salt)}${Base64(hash)}");
    }

    public readonly record struct Parsed(int Iterations, byte[] Salt, byte[] Hash);

    /// <summary>Reads a stored hash; says what is wrong with it when it cannot.</summary>
    public static bool TryParse(string? text, out Parsed parsed, out string? problem)
    {
        parsed = default;
        problem = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            problem = $"not a password hash: expected {Prefix}ITERATIONS$SALT$HASH (make one with gatehouse hash-password)";
            return false;
        }

        var parts = text[Prefix.Length..].Split('$');
        if (parts.Length != 3)
        {
            problem = $"expected {Prefix}ITERATIONS$SALT$HASH";
            return false;
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < MinIterations)
        {
            problem = $"the iteration count '{parts[0]}' is not a number of at least {MinIterations}";
            return false;
        }

        if (FromBase64(parts[1]) is not { Length: >= 8 } salt)
        {
            problem = "the salt is not base64 of at least 8 bytes";
            return false;
        }

        if (FromBase64(parts[2]) is not { Length: >= 16 } hash)
        {
            problem = "the hash is not base64 of at least 16 bytes";
            return false;
        }

        parsed = new Parsed(iterations, salt, hash);
        return true;
    }

    /// <summary>Constant-time comparison of the derived key with the stored one.</summary>
    public static bool Verify(string password, Parsed stored)
    {
        var derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), stored.Salt, stored.Iterations, HashAlgorithmName.SHA256, stored.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(derived, stored.Hash);
    }

    public static bool Verify(string password, string stored) => TryParse(stored, out var parsed, out _) && Verify(password, parsed);

    private static string Base64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[]? FromBase64(string text)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
