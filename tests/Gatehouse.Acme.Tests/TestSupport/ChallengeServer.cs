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
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = context => ValueTask.FromResult(server!.OptionsFor(context.ClientHelloInfo.ServerName)),
            }));
        });
        var app = builder.Build();
        server = new ChallengeServer(app);
        app.MapGet(AcmeChallengeResponses.Http01PathPrefix + "{token}", (string token) =>
            server.Responses.GetHttp01(token) is { } keyAuthorization
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

    private SslServerAuthenticationOptions OptionsFor(string? serverName)
    {
        // The CA's validation handshake offers only acme-tls/1; while a challenge is pending for the name, answer it.
        if (serverName is not null && Responses.GetTlsAlpn01(serverName) is { } challenge)
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
