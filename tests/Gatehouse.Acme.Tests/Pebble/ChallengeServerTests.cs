using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.Acme.Tests.Pebble;

/// <summary>
/// The Kestrel side of TLS-ALPN-01 as a server should do it: the challenge certificate goes only to a client that
/// offers acme-tls/1; every other client keeps getting the normal certificate while a challenge is pending.
/// </summary>
public sealed class ChallengeServerTests : IAsyncLifetime
{
    private ChallengeServer _server = null!;

    [Fact]
    public async Task Rfc8737_3_ClientOfferingAcmeTls_GetsTheChallengeCertificate_OthersDoNot()
    {
        var challenge = TlsAlpn01.CreateCertificate("pending.gatehouse.test", "token.thumb", DateTimeOffset.UtcNow);
        await _server.Responses.AddTlsAlpn01Async("pending.gatehouse.test", challenge);

        var (validation, validationProtocol) = await HandshakeAsync("pending.gatehouse.test", TlsAlpn01.AlpnProtocol);
        var (browser, browserProtocol) = await HandshakeAsync("pending.gatehouse.test", "h2", "http/1.1");

        Assert.Equal(challenge.Thumbprint, validation.Thumbprint);
        Assert.Equal(TlsAlpn01.AlpnProtocol, validationProtocol);
        Assert.NotEqual(challenge.Thumbprint, browser.Thumbprint);
        Assert.Equal("http/1.1", browserProtocol);
    }

    private async Task<(X509Certificate2 Certificate, string Protocol)> HandshakeAsync(string host, params string[] protocols)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, _server.TlsPort, TestContext.Current.CancellationToken);
        X509Certificate2? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            seen = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return seen is not null; // self-signed test certificates: only which one is sent matters here
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ApplicationProtocols = protocols.Select(p => new SslApplicationProtocol(p)).ToList(),
        }, TestContext.Current.CancellationToken);
        return (seen!, tls.NegotiatedApplicationProtocol.ToString());
    }

    public async ValueTask InitializeAsync() => _server = await ChallengeServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
