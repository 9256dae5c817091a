using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Protection;

/// <summary>
/// RFC 7617 Basic authentication against the route's users. PBKDF2 is slow on purpose (tens of milliseconds), so a
/// successful check is remembered, keyed by a SHA-256 of the stored hash and the credentials (never the password
/// itself), and a repeat of the same credentials costs one SHA-256. Failures are never remembered.
/// </summary>
public sealed class BasicAuthChecker
{
    private const int MaxRemembered = 4096;
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);

    /// <summary>The user name when <paramref name="authorization"/> carries valid credentials for <paramref name="settings"/>; null otherwise.</summary>
    public string? Authenticate(BasicAuthSettings settings, StringValues authorization)
    {
        if (!TryReadCredentials(authorization, out var user, out var password))
        {
            return null;
        }

        if (!settings.Users.TryGetValue(user, out var stored))
        {
            // As slow as a wrong password, so response times do not tell which user names exist.
            PasswordHash.Verify(password, settings.UnknownUserHash);
            return null;
        }

        var key = RememberKey(stored, user, password);
        if (_verified.ContainsKey(key))
        {
            return user;
        }

        if (!PasswordHash.Verify(password, stored))
        {
            return null;
        }

        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified.TryAdd(key, 0);
        return user;
    }

    /// <summary>Reads <c>Basic base64(user:password)</c> (RFC 7617 §2; the scheme name is case-insensitive; UTF-8).</summary>
    public static bool TryReadCredentials(StringValues authorization, out string user, out string password)
    {
        user = password = "";
        if (authorization.Count != 1 || authorization[0] is not { } value || value.Length < 7 || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(value[6..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(decoded);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        user = text[..colon];
        password = text[(colon + 1)..];
        return true;
    }

    private static string RememberKey(string stored, string user, string password) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{stored}\n{user}\n{password}")));
}
