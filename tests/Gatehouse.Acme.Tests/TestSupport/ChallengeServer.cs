using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Challenges;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Acme.Tests.TestSupport;

/// <summary>
/// A real Kestrel server on loopback answering the CA's validation requests from an <see cref="AcmeChallengeResponses"/>:
/// HTTP-01 on its HTTP port, TLS-ALPN-01 through the TLS handshake callback on its HTTPS port. The responses it reads
/// can be swapped (e.g. to one that answers nothing).
/// </summary>
public sealed class ChallengeServer : IAsyncDisposable
{
    private const string OffersAcmeTlsKey = "acme-tls/1 offered";
    private static readonly SslApplicationProtocol AcmeTls = new(TlsAlpn01.AlpnProtocol);
    private readonly WebApplication _app;
    private readonly X509Certificate2 _fallback = TestCertificates.SelfSigned("localhost");

    private ChallengeServer(WebApplication app) => _app = app;

    public AcmeChallengeResponses Responses { get; set; } = new();

    public int HttpPort { get; private set; }

    public int TlsPort { get; private set; }

    /// <summary>How many TLS handshakes were answered with a challenge certificate.</summary>
    public int TlsAlpnAnswers;

    public static async Task<ChallengeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ChallengeServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                // Before TLS: peek at the ClientHello for ALPN "acme-tls/1", which the handshake callback cannot see.
                listen.Use(next => async connection =>
                {
                    if (server!.Responses.HasTlsAlpn01 && await OffersAcmeTlsAsync(connection.Transport.Input, connection.ConnectionClosed))
                    {
                        connection.Items[OffersAcmeTlsKey] = true;
                    }

                    await next(connection);
                });
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = context => server!.OptionsForAsync(
                        context.ClientHelloInfo.ServerName, context.Connection.Items.ContainsKey(OffersAcmeTlsKey)),
                });
            });
        });
        var app = builder.Build();
        server = new ChallengeServer(app);
        app.MapGet(AcmeChallengeResponses.Http01PathPrefix + "{token}", async (string token) =>
            await server.Responses.GetHttp01Async(token) is { } keyAuthorization
                ? Results.Text(keyAuthorization, "text/plain")
                : Results.NotFound());
        await app.StartAsync();
        foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
        {
            var uri = new Uri(address);
            if (uri.Scheme == "https")
            {
                server.TlsPort = uri.Port;
            }
            else
            {
                server.HttpPort = uri.Port;
            }
        }

        return server;
    }

    private static async Task<bool> OffersAcmeTlsAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            var result = TlsClientHello.OffersAcmeTls(read.Buffer, out var offers);
            if (result != TlsClientHello.ReadStatus.NeedMoreData || read.IsCompleted)
            {
                input.AdvanceTo(read.Buffer.Start); // consume nothing: TLS reads the same bytes next
                return offers;
            }

            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private async ValueTask<SslServerAuthenticationOptions> OptionsForAsync(string? serverName, bool offersAcmeTls)
    {
        // Only a client offering acme-tls/1 (the CA's validation handshake) gets the challenge certificate.
        if (offersAcmeTls && serverName is not null && await Responses.GetTlsAlpn01Async(serverName) is { } challenge)
        {
            Interlocked.Increment(ref TlsAlpnAnswers);
            return new SslServerAuthenticationOptions { ServerCertificate = challenge, ApplicationProtocols = [AcmeTls] };
        }

        return new SslServerAuthenticationOptions { ServerCertificate = _fallback, ApplicationProtocols = [SslApplicationProtocol.Http11] };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _fallback.Dispose();
    }
}
