using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Challenges;

/// <summary>
/// Where the nodes of a cluster keep their pending challenges, so that the node the CA reaches can answer a challenge
/// another node started (<see cref="AcmeChallengeResponses.Shared"/>). Calls never throw; the look-ups are on the
/// challenge paths only (an HTTP-01 token this node lacks, a TLS-ALPN-01 handshake). Every call that may wait for the
/// store is asynchronous: callers run on the server's threads, which never block on I/O.
/// </summary>
public interface IAcmeChallengeShare
{
    bool HasTlsAlpn01 { get; }

    Task Http01AddedAsync(string token, string keyAuthorization);

    Task Http01RemovedAsync(string token);

    Task TlsAlpn01AddedAsync(string host, X509Certificate2 certificate);

    Task TlsAlpn01RemovedAsync(string host);

    ValueTask<string?> FindHttp01Async(string token);

    ValueTask<X509Certificate2?> FindTlsAlpn01Async(string host);
}
