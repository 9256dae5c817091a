using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Gatehouse.ProxyProtocol;

namespace Gatehouse.FunctionalTests.ProxyProtocol;

/// <summary>
/// Listeners with a <c>proxyProtocol</c> section, with Debian's HAProxy and curl as the senders. Addresses: HAProxy
/// connects to Gatehouse from 127.0.0.2 (the one trusted sender); clients come from 127.0.0.7 (allowed) or 127.0.0.9
/// (denied by the IP list); the backend echoes the X-Forwarded-For Gatehouse sends, which names the client it believes.
/// </summary>
public class ProxyProtocolListenerTests
{
    private const string Sender = "127.0.0.2";
    private const string Client = "127.0.0.7";
    private const string DeniedClient = "127.0.0.9";

    private static readonly RequestDelegate EchoClient = context => context.Response.WriteAsync(context.Request.Headers["X-Forwarded-For"].ToString());

    private static async Task<(TestBackend Backend, TestProxy Proxy)> StartAsync(string trusted = Sender, string listenerExtra = "", string rootExtra = "", Func<string, string>? edit = null)
    {
        var backend = await TestBackend.StartAsync("b", EchoClient);
        var json = JsonNode.Parse(Configs.SingleCluster(Configs.Destinations(backend), rootExtra: rootExtra))!;
        json["listeners"]![0]!["proxyProtocol"] = JsonNode.Parse($$"""{ "trustedSenders": [ "{{trusted}}" ] {{listenerExtra}} }""");
        var text = json.ToJsonString();
        return (backend, await TestProxy.StartAsync(edit is null ? text : edit(text)));
    }

    private static string HaproxyTo(int bind, int gatehouse, string sendProxy) => $"""
        frontend edge
            mode tcp
            bind 127.0.0.1:{bind}
            default_backend gatehouse
        backend gatehouse
            mode tcp
            server g 127.0.0.1:{gatehouse} {sendProxy} source {Sender}
        """;

    [Theory]
    [InlineData("send-proxy")]
    [InlineData("send-proxy-v2")]
    public async Task HaproxySendingTheHeader_MakesItsClientTheOneGatehouseForwards(string sendProxy)
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;
        var bind = Haproxy.Port();
        using var haproxy = await Haproxy.StartAsync(HaproxyTo(bind, proxy.Address.Port, sendProxy), bind);

        using var client = FromAddress.Client(Client, bind);
        for (var i = 0; i < 3; i++)
        {
            // Keep-alive: the second and third requests ride the same connection and its header.
            var response = await client.GetAsync("/who");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Client, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task CurlWithHaproxyProtocol_IsServed_AndCurlWithoutIt_IsRefused()
    {
        var (backend, proxy) = await StartAsync(trusted: "127.0.0.1");
        await using var _ = backend;
        await using var __ = proxy;
        var url = proxy.Address + "who";

        var (status, body) = await CurlAsync("--haproxy-protocol", url);
        Assert.True(status == 0, $"curl --haproxy-protocol exited {status}: {body}");
        Assert.Equal("127.0.0.1", body);

        (status, body) = await CurlAsync(url);
        Assert.NotEqual(0, status); // 52: empty reply, 56: reset
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task ASpoofedHeaderFromAnUntrustedAddress_IsRefusedWithoutAnAnswer()
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        var answer = await FromAddress.ExchangeAsync(Client, proxy.Address.Port,
            Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.50 127.0.0.1 40000 80\r\nGET /who HTTP/1.1\r\nHost: a\r\n\r\n"), TimeSpan.FromSeconds(10));
        Assert.Equal("", answer);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task ATrustedSenderWithoutTheHeader_IsRefused()
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var socket = await FromAddress.ConnectAsync(Sender, proxy.Address.Port);
        var answer = await FromAddress.SendAndReadToCloseAsync(socket, "GET /who HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray(), TimeSpan.FromSeconds(10));
        Assert.Equal("", answer);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task ATrustedSenderWithAWholeHeader_IsServedAsTheClientItNames()
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var socket = await FromAddress.ConnectAsync(Sender, proxy.Address.Port);
        var header = ProxyHeaderWriter.V2(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40000), new IPEndPoint(IPAddress.Loopback, proxy.Address.Port));
        var answer = await FromAddress.SendAndReadToCloseAsync(socket, [.. header, .. "GET /who HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"u8], TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("\r\n198.51.100.7\r\n", answer); // the chunked body
    }

    [Fact]
    public async Task AHeaderThatNeverCompletes_IsClosedAtTheHeaderTimeout()
    {
        var (backend, proxy) = await StartAsync(listenerExtra: """, "headerTimeout": "300ms" """);
        await using var _ = backend;
        await using var __ = proxy;

        using var socket = await FromAddress.ConnectAsync(Sender, proxy.Address.Port);
        var clock = Stopwatch.StartNew();
        var answer = await FromAddress.SendAndReadToCloseAsync(socket, "PROXY TCP4 198.51.100.7 "u8.ToArray(), TimeSpan.FromSeconds(10));
        Assert.Equal("", answer);
        // Closed by the header timeout, well before the test's own 10-second bound (and not at once: it waited).
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task TheDenyList_AppliesToTheCarriedClient_AndCannotBeDodgedFromAnUntrustedAddress()
    {
        var (backend, proxy) = await StartAsync(rootExtra: $$""", "accessControl": { "deny": [ "{{DeniedClient}}" ] }""");
        await using var _ = backend;
        await using var __ = proxy;
        var bind = Haproxy.Port();
        using var haproxy = await Haproxy.StartAsync(HaproxyTo(bind, proxy.Address.Port, "send-proxy-v2"), bind);

        // Through the trusted balancer: the denied client is denied, another is served, though both reach Gatehouse from 127.0.0.2.
        using (var denied = FromAddress.Client(DeniedClient, bind))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await denied.GetAsync("/who")).StatusCode);
        }

        using (var allowed = FromAddress.Client(Client, bind))
        {
            Assert.Equal(HttpStatusCode.OK, (await allowed.GetAsync("/who")).StatusCode);
        }

        // The denied client straight at Gatehouse, claiming to be the allowed one: refused before HTTP, not served.
        var spoof = ProxyHeaderWriter.V1(new IPEndPoint(IPAddress.Parse(Client), 40000), new IPEndPoint(IPAddress.Loopback, proxy.Address.Port));
        var answer = await FromAddress.ExchangeAsync(DeniedClient, proxy.Address.Port, [.. spoof, .. "GET /who HTTP/1.1\r\nHost: a\r\n\r\n"u8], TimeSpan.FromSeconds(10));
        Assert.Equal("", answer);
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task ThePerClientConnectionLimit_CountsTheCarriedClients_NotTheirBalancer()
    {
        var (backend, proxy) = await StartAsync(rootExtra: """, "limits": { "maxConnectionsPerClient": 1 }""");
        await using var _ = backend;
        await using var __ = proxy;
        var port = proxy.Address.Port;
        byte[] HeaderFor(string client) => ProxyHeaderWriter.V2(new IPEndPoint(IPAddress.Parse(client), 40000), new IPEndPoint(IPAddress.Loopback, port));

        // Each client keeps its connection open (keep-alive), all of them from the one balancer address.
        using var first = FromAddress.ClientWithHeader(Sender, port, HeaderFor("198.51.100.1"));
        using var second = FromAddress.ClientWithHeader(Sender, port, HeaderFor("198.51.100.2"));
        Assert.Equal("198.51.100.1", await first.GetStringAsync("/who"));
        Assert.Equal("198.51.100.2", await second.GetStringAsync("/who"));

        // A second connection for a client that already has one is over its limit.
        using var again = FromAddress.ClientWithHeader(Sender, port, HeaderFor("198.51.100.1"));
        // The refusal is a close right after the header: it surfaces as HttpRequestException, or as the SocketException
        // of HttpClient asking the already closed socket for its remote endpoint, depending on which comes first.
        var refused = await Record.ExceptionAsync(() => again.GetStringAsync("/who"));
        Assert.True(refused is HttpRequestException or SocketException, $"not refused: {refused}");
        Assert.Equal("198.51.100.1", await first.GetStringAsync("/who"));
    }

    [Fact]
    public async Task OnAnHttpsListener_TheHeaderComesBeforeTheTlsHandshake()
    {
        using var pki = TestPki.Create();
        var (backend, proxy) = await StartAsync(edit: pki.WithTls);
        await using var _ = backend;
        await using var __ = proxy;
        var bind = Haproxy.Port();
        using var haproxy = await Haproxy.StartAsync(HaproxyTo(bind, proxy.Address.Port, "send-proxy-v2"), bind);

        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellation) => new System.Net.Sockets.NetworkStream(await FromAddress.ConnectAsync(Client, bind), ownsSocket: true),
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, _) => pki.Issued(certificate) },
        });
        var response = await client.GetAsync($"https://gatehouse.test:{bind}/who");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Client, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(int Status, string Output)> CurlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--silent", "--show-error", "--max-time", "10", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process.ExitCode, await output + await error);
    }
}
