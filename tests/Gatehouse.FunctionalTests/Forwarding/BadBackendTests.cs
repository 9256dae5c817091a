using System.Net;
using System.Net.Sockets;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Forwarding;

/// <summary>A backend that answers with something that is not HTTP gets a clean 502, and Gatehouse keeps serving.</summary>
public sealed class BadBackendTests
{
    [Theory]
    [InlineData("lean")]
    [InlineData("yarp")]
    public async Task HeadersTheBackendNamesInConnection_DoNotReachTheClient(string forwarder)
    {
        await using var raw = RawBackend.Start("HTTP/1.1 200 OK\r\nConnection: X-Hop\r\nX-Hop: secret\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster($$"""      "raw": { "address": "http://127.0.0.1:{{raw.Port}}" }""",
            rootExtra: $$""", "forwarder": "{{forwarder}}" """));

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains("X-Kept"));
        Assert.False(response.Headers.Contains("X-Hop"));
    }

    [Theory]
    [InlineData("lean", "this is not http\r\n\r\n")]
    [InlineData("lean", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("lean", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!")]
    [InlineData("yarp", "this is not http\r\n\r\n")]
    [InlineData("yarp", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("yarp", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!")]
    public async Task GarbageReply_Answers502WithGatehousesBody(string forwarder, string reply)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = Task.Run(async () =>
        {
            // Only the cancellation below ends the loop (a check of the token here would race with it).
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                _ = await stream.ReadAsync(buffer, stop.Token);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), stop.Token);
            }
        });

        await using var good = await TestBackend.StartAsync("good");
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "forwarder": "{{forwarder}}",
              "routes": {
                "bad": { "clusterId": "bad", "match": { "pathPrefix": "/bad" } },
                "good": { "clusterId": "good", "match": { "pathPrefix": "/good" } }
              },
              "clusters": {
                "bad": { "destinations": { "raw": { "address": "http://127.0.0.1:{{port}}" } }, "retry": { "enabled": false } },
                "good": { "destinations": { "g": { "address": "{{good.Address}}" } } }
              }
            }
            """);

        using var response = await proxy.Client.GetAsync("/bad");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.StartsWith("502 ", body);
        Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), body);
        Assert.Equal("good", await proxy.Client.GetStringAsync("/good"));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server);
    }
}

/// <summary>A TCP server on loopback that answers every connection's first request with fixed bytes, then closes it.</summary>
internal sealed class RawBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private readonly Task _serving;

    private RawBackend(string reply)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _serving = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                _ = await stream.ReadAsync(new byte[4096], _stop.Token);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static RawBackend Start(string reply) => new(reply);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _serving;
        }
        catch (OperationCanceledException)
        {
        }

        _listener.Stop();
        _listener.Dispose();
        _stop.Dispose();
    }
}
