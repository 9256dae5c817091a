using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Protection;

/// <summary>
/// RFC 7617 Basic authentication against the route's users. PBKDF2 is slow on purpose (0.13 s of one core at the
/// default 600,000 iterations, measured here), so a successful check is remembered, keyed by a SHA-256 of the stored
/// hash and the credentials (never the password itself), and a repeat of the same credentials costs one SHA-256.
/// Failures are never remembered, so each wrong password costs a whole PBKDF2: at most half the cores run one at a time
/// (the rest wait their turn without holding a thread), so a flood of wrong passwords slows down logins, never the
/// other routes.
/// </summary>
public sealed class BasicAuthChecker : IDisposable
{
    private const int MaxRemembered = 4096;
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _hashing;
    private int _waiting;

    public BasicAuthChecker() : this(Math.Max(1, Environment.ProcessorCount / 2))
    {
    }

    /// <param name="concurrentHashes">How many PBKDF2 computations may run at once.</param>
    public BasicAuthChecker(int concurrentHashes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrentHashes, 1);
        _hashing = new SemaphoreSlim(concurrentHashes, concurrentHashes);
    }

    /// <summary>PBKDF2 computations waiting for their turn now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// The user name when <paramref name="authorization"/> carries valid credentials for <paramref name="settings"/>;
    /// null otherwise. Completes at once for remembered credentials and for a header that is not Basic credentials.
    /// </summary>
    public async ValueTask<string?> AuthenticateAsync(BasicAuthSettings settings, StringValues authorization, CancellationToken cancellation = default)
    {
        if (!TryReadCredentials(authorization, out var user, out var password))
        {
            return null;
        }

        if (!settings.Users.TryGetValue(user, out var stored))
        {
            // As slow as a wrong password, so response times do not tell which user names exist.
            await InTurnAsync(() => PasswordHash.Verify(password, settings.UnknownUserHash), cancellation);
            return null;
        }

        var key = RememberKey(stored, user, password);
        if (_verified.ContainsKey(key))
        {
            return user;
        }

        if (!await InTurnAsync(() => PasswordHash.Verify(password, stored), cancellation))
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

    public void Dispose() => _hashing.Dispose();

    /// <summary>Runs one PBKDF2 check once it is its turn (<see cref="Waiting"/> counts those waiting for it).</summary>
    private async ValueTask<bool> InTurnAsync(Func<bool> verify, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _hashing.WaitAsync(cancellation);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        try
        {
            // 0.13 s of one core: never on a socket engine's own thread (inline completions, docs/performance.md),
            // where it would stall every connection of that thread.
            return Thread.CurrentThread.IsThreadPoolThread ? verify() : await Task.Run(verify, CancellationToken.None);
        }
        finally
        {
            _hashing.Release();
        }
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
