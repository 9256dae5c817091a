using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Challenges;

/// <summary>
/// Where the nodes of a cluster keep their pending challenges, so that the node the CA reaches can answer a challenge
/// another node started (<see cref="AcmeChallengeResponses.Shared"/>). Calls never throw; the look-ups are on the
/// challenge paths only (an HTTP-01 token this node lacks, a TLS-ALPN-01 handshake).
/// </summary>
public interface IAcmeChallengeShare
{
    bool HasTlsAlpn01 { get; }

    void Http01Added(string token, string keyAuthorization);

    void Http01Removed(string token);

    void TlsAlpn01Added(string host, X509Certificate2 certificate);

    void TlsAlpn01Removed(string host);

    string? FindHttp01(string token);

    X509Certificate2? FindTlsAlpn01(string host);
}
