using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Challenges;

/// <summary>
/// What the server answers while a challenge is pending: HTTP-01 key authorizations by token (served at
/// /.well-known/acme-challenge/{token}) and TLS-ALPN-01 certificates by host (served when a client offers ALPN
/// "acme-tls/1"). Thread-safe: the certificate manager writes, the server's request and handshake paths read.
/// </summary>
public sealed class AcmeChallengeResponses
{
    /// <summary>The path prefix of HTTP-01 (RFC 8555 §8.3).</summary>
    public const string Http01PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _http01 = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, X509Certificate2> _tlsAlpn01 = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The key authorization to send as the body (text/plain) for <paramref name="token"/>, or null (404).</summary>
    public ValueTask<string?> GetHttp01Async(string token) =>
        _http01.TryGetValue(token, out var value) ? ValueTask.FromResult<string?>(value)
        : Shared is { } shared ? shared.FindHttp01Async(token)
        : ValueTask.FromResult<string?>(null);

    /// <summary>The acme-tls/1 certificate for <paramref name="host"/> (the SNI name), or null when none is pending.</summary>
    public ValueTask<X509Certificate2?> GetTlsAlpn01Async(string host) =>
        _tlsAlpn01.TryGetValue(host.TrimEnd('.'), out var value) ? ValueTask.FromResult<X509Certificate2?>(value)
        : Shared is { } shared ? shared.FindTlsAlpn01Async(host.TrimEnd('.'))
        : ValueTask.FromResult<X509Certificate2?>(null);

    /// <summary>True while any TLS-ALPN-01 challenge is pending (here or, shared, on another node), so a server can skip ClientHello inspection otherwise.</summary>
    public bool HasTlsAlpn01 => !_tlsAlpn01.IsEmpty || Shared?.HasTlsAlpn01 == true;

    /// <summary>
    /// Set in cluster mode: challenges this node starts are told to it, and a challenge this node does not hold is looked
    /// up there, so whichever node the CA reaches answers.
    /// </summary>
    public IAcmeChallengeShare? Shared { get; set; }

    public Task AddHttp01Async(string token, string keyAuthorization)
    {
        _http01[token] = keyAuthorization;
        return Shared?.Http01AddedAsync(token, keyAuthorization) ?? Task.CompletedTask;
    }

    public Task RemoveHttp01Async(string token)
    {
        _http01.TryRemove(token, out _);
        return Shared?.Http01RemovedAsync(token) ?? Task.CompletedTask;
    }

    public Task AddTlsAlpn01Async(string host, X509Certificate2 certificate)
    {
        _tlsAlpn01[host.TrimEnd('.')] = certificate;
        return Shared?.TlsAlpn01AddedAsync(host.TrimEnd('.'), certificate) ?? Task.CompletedTask;
    }

    // Not disposed here: a handshake may still be sending it; the certificate is small and the GC reclaims it.
    public Task RemoveTlsAlpn01Async(string host)
    {
        _tlsAlpn01.TryRemove(host.TrimEnd('.'), out _);
        return Shared?.TlsAlpn01RemovedAsync(host.TrimEnd('.')) ?? Task.CompletedTask;
    }
}
