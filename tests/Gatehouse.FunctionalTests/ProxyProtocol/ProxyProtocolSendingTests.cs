using System.Net;
using System.Net.Security;
using System.Text.Json.Nodes;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;

namespace Gatehouse.FunctionalTests.ProxyProtocol;

/// <summary>
/// Clusters with <c>proxyProtocol</c>: Gatehouse sends the header to Debian's HAProxy, which accepts it
/// (<c>accept-proxy</c>) in front of a Kestrel backend and passes on what it read: the client's address (<c>src</c>)
/// and, from v2's TLVs, the server name the client asked for (<c>fc_pp_authority</c>). Clients connect to Gatehouse
/// from addresses of their own (127.0.0.7, 127.0.0.8), so the address HAProxy reports can only have come from the header.
/// </summary>
public class ProxyProtocolSendingTests
{
    private const string Client = "127.0.0.7";
    private const string OtherClient = "127.0.0.8";

    private static readonly RequestDelegate EchoHaproxy = context =>
        context.Response.WriteAsync($"{context.Request.Headers["X-PP-Src"]}|{context.Request.Headers["X-PP-Authority"]}");

    private sealed class Chain : IAsyncDisposable
    {
        public required TestBackend Backend { get; init; }
        public required Haproxy Haproxy { get; init; }
        public required TestProxy Proxy { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            Haproxy.Dispose();
            await Backend.DisposeAsync();
        }
    }

    /// <summary>Backend, HAProxy accepting the header in front of it, then Gatehouse sending it to HAProxy.</summary>
    private static async Task<Chain> StartAsync(string version, string rootExtra = "", Func<string, string>? edit = null, string clusterExtra = "", RequestDelegate? backendHandler = null)
    {
        var backend = await TestBackend.StartAsync("app", backendHandler ?? EchoHaproxy);
        var bind = Haproxy.Port();
        var haproxy = await Haproxy.StartAsync($"""
            frontend accepting
                mode http
                bind 127.0.0.1:{bind} accept-proxy
                http-request set-header X-PP-Src %[src]
                http-request set-header X-PP-Authority %[fc_pp_authority]
                default_backend app
            backend app
                mode http
                server app 127.0.0.1:{backend.Port}
            """, bind);
        var json = JsonNode.Parse(Configs.SingleCluster($$"""      "h": { "address": "http://127.0.0.1:{{bind}}" }""",
            clusterExtra: $"\"proxyProtocol\": \"{version}\"{clusterExtra}", rootExtra: rootExtra))!.ToJsonString();
        var proxy = await TestProxy.StartAsync(edit is null ? json : edit(json));
        return new Chain { Backend = backend, Haproxy = haproxy, Proxy = proxy };
    }

    [Theory]
    [InlineData("v1", "lean")]
    [InlineData("v2", "lean")]
    [InlineData("v1", "yarp")]
    [InlineData("v2", "yarp")]
    public async Task HaproxyAcceptingTheHeader_SeesTheClientGatehouseServed(string version, string forwarder)
    {
        await using var chain = await StartAsync(version, rootExtra: $", \"forwarder\": \"{forwarder}\"");
        using var client = FromAddress.Client(Client, chain.Proxy.Address.Port);
        for (var i = 0; i < 3; i++)
        {
            var response = await client.GetAsync("/who");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()} {chain.Haproxy.Output}");
            Assert.Equal(Client + "|", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task TwoClientsInTurn_EachKeepTheirOwnAddress_NeverAnotherClientsConnection()
    {
        await using var chain = await StartAsync("v2");
        using var first = FromAddress.Client(Client, chain.Proxy.Address.Port);
        using var second = FromAddress.Client(OtherClient, chain.Proxy.Address.Port);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(Client + "|", await first.GetStringAsync("/who"));
            Assert.Equal(OtherClient + "|", await second.GetStringAsync("/who"));
        }
    }

    [Fact]
    public async Task V2_CarriesTheServerNameTheClientAskedForOverTls()
    {
        using var pki = TestPki.Create();
        await using var chain = await StartAsync("v2", edit: pki.WithTls);
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellation) => new System.Net.Sockets.NetworkStream(await FromAddress.ConnectAsync(Client, chain.Proxy.Address.Port), ownsSocket: true),
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, _) => pki.Issued(certificate) },
        });
        Assert.Equal(Client + "|gatehouse.test", await client.GetStringAsync($"https://gatehouse.test:{chain.Proxy.Address.Port}/who"));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task ActiveHealthProbes_SpeakForGatehouseItself_WithUnknownOrLocal(string version)
    {
        // HAProxy's accept-proxy refuses a connection without a header; UNKNOWN and LOCAL make src the connection's own peer.
        var probed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var chain = await StartAsync(version,
            clusterExtra: """, "healthCheck": { "active": { "enabled": true, "interval": "1s", "path": "/healthz" } }""",
            backendHandler: context =>
            {
                if (context.Request.Path == "/healthz")
                {
                    probed.TrySetResult(context.Request.Headers["X-PP-Src"].ToString());
                }

                return context.Response.WriteAsync("ok");
            });
        Assert.Equal("127.0.0.1", await probed.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task ADestinationWithNone_IsSentNoHeader()
    {
        await using var plain = await TestBackend.StartAsync("plain");
        var json = Configs.SingleCluster($$"""      "p": { "address": "{{plain.Address}}", "proxyProtocol": "none" }""", clusterExtra: "\"proxyProtocol\": \"v2\"");
        await using var proxy = await TestProxy.StartAsync(json);
        // A Kestrel backend answers a PROXY header with 400; only a request without one gets its name back.
        Assert.Equal("plain", await proxy.Client.GetStringAsync("/"));
    }
}
