using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

/// <summary>A real TLS connection over loopback: the server side gets SSL_MODE_RELEASE_BUFFERS and still carries data.</summary>
public sealed class OpenSslIdleBuffersTests
{
    private const long ReleaseBuffers = 0x10;

    [Fact]
    public async Task TryRelease_SetsTheMode_AndRecordsStillFlowBothWays()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        var accept = listener.AcceptTcpClientAsync(timeout.Token).AsTask();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
        using var accepted = await accept;
        await using var server = new SslStream(accepted.GetStream());
        await using var tlsClient = new SslStream(client.GetStream(), false, (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString());
        await Task.WhenAll(
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout.Token),
            tlsClient.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token));

        Assert.Equal(0, OpenSslIdleBuffers.Mode(server)!.Value & ReleaseBuffers);
        Assert.True(OpenSslIdleBuffers.TryRelease(server));
        Assert.Equal(ReleaseBuffers, OpenSslIdleBuffers.Mode(server)!.Value & ReleaseBuffers);

        // Several records each way, the buffers freed and allocated again between them; one larger than a record.
        var payload = RandomNumberGenerator.GetBytes(40_000);
        for (var round = 0; round < 3; round++)
        {
            await tlsClient.WriteAsync(payload, timeout.Token);
            var received = new byte[payload.Length];
            await server.ReadExactlyAsync(received, timeout.Token);
            Assert.Equal(payload, received);

            await server.WriteAsync(payload, timeout.Token);
            await tlsClient.ReadExactlyAsync(received, timeout.Token);
            Assert.Equal(payload, received);
        }
    }

    [Fact]
    public void TryRelease_BeforeAnyHandshake_LeavesTheStreamAlone()
    {
        using var stream = new SslStream(new MemoryStream());

        Assert.False(OpenSslIdleBuffers.TryRelease(stream));
        Assert.Null(OpenSslIdleBuffers.Mode(stream));
    }
}
