using System.Net.Sockets;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// Request bodies are read before they are forwarded (limits.requestBodyBufferBytes): an unfinished or malformed body
/// never reaches a backend; a longer one streams, and a framing error in it never lets the backend see a complete
/// request; a route with buffering off streams at once. Raw sockets on both sides.
/// </summary>
public sealed class RequestBodyBufferingTests
{
    private const string Host = "Host: shop.example\r\n";

    private static string Config(RecordingBackend backend, string rootExtra = "", string routeExtra = "") =>
        Configs.SingleCluster($$"""      "raw": { "address": "{{backend.Address}}" }""", clusterExtra: "\"retry\": { \"enabled\": false }", routeExtra: routeExtra, rootExtra: rootExtra);

    private static async Task<TcpClient> ConnectAsync(TestProxy proxy)
    {
        var client = new TcpClient();
        await client.ConnectAsync(proxy.Address.Host, proxy.Address.Port);
        return client;
    }

    /// <summary>Sends a complete GET on its own connection and waits until the backend has it: an event to order by.</summary>
    private static async Task CanaryAsync(TestProxy proxy, RecordingBackend backend)
    {
        var response = await RawHttp.SendAsync(proxy.Address, "GET /canary HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n");
        Assert.Equal(200, response.Status);
        Assert.Contains(backend.Requests, r => r.StartsWith("GET /canary ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BodyShorterThanItsContentLength_NeverReachesTheBackend_EvenWhenTheClientGivesUp()
    {
        await using var backend = RecordingBackend.Start();
        await using var proxy = await TestProxy.StartAsync(Config(backend));

        using (var client = await ConnectAsync(proxy))
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /upload HTTP/1.1\r\n" + Host + "Content-Length: 10\r\n\r\nhello"));
            await CanaryAsync(proxy, backend);
            Assert.DoesNotContain(backend.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal));
            client.Client.Shutdown(SocketShutdown.Send);
            // Gatehouse answers 400 or resets the connection: either way the client is done.
            var rest = new byte[1024];
            try
            {
                while (await stream.ReadAsync(rest) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
        }

        await CanaryAsync(proxy, backend);
        Assert.DoesNotContain(backend.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal));
        Assert.Empty(backend.Leftovers);
    }

    [Fact]
    public async Task ChunkedBodyLongerThanTheBuffer_WithABadChunkLate_TheBackendNeverSeesACompleteRequest()
    {
        await using var backend = RecordingBackend.Start();
        await using var proxy = await TestProxy.StartAsync(Config(backend, rootExtra: """, "limits": { "requestBodyBufferBytes": "1KB" }"""));
        var good = new StringBuilder();
        for (var i = 0; i < 8; i++)
        {
            good.Append("200\r\n").Append('a', 512).Append("\r\n");
        }

        var response = await RawHttp.SendAsync(proxy.Address,
            "POST /upload HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n" + good + "5_0\r\nhello\r\n0\r\n\r\n");

        Assert.True(response.Status is 0 or 400, $"got {response.Status}");
        Assert.True(response.Closed);
        await CanaryAsync(proxy, backend);
        Assert.DoesNotContain(backend.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChunkedBodyWithinTheBuffer_IsForwardedWithTheLengthGatehouseCounted()
    {
        await using var backend = RecordingBackend.Start();
        await using var proxy = await TestProxy.StartAsync(Config(backend));

        var response = await RawHttp.SendAsync(proxy.Address,
            "POST /form HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n4\r\nname\r\n6\r\n=value\r\n0\r\n\r\n");

        Assert.Equal(200, response.Status);
        var received = Assert.Single(backend.Requests);
        Assert.Contains("\r\nContent-Length: 10\r\n", received, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", received, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\nname=value", received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteWithBufferingOff_StreamsTheBodyAsItArrives()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync("stream", async context =>
        {
            started.TrySetResult();
            using var body = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync("got " + await body.ReadToEndAsync());
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backend), routeExtra: """, "limits": { "requestBodyBufferBytes": 0 }"""));

        using var client = await ConnectAsync(proxy);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /stream HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));

        // The backend is called while the body is still arriving; with buffering this would never complete.
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stream.WriteAsync(Encoding.ASCII.GetBytes("6\r\n world\r\n0\r\n\r\n"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await new RawHttp.ResponseReader(stream).ReadAsync(cancel.Token);
        Assert.Equal(200, response.Status);
        Assert.Equal("got hello world", response.Body);
    }

    [Fact]
    public async Task DefaultBuffering_TheBackendIsCalledOnlyOnceTheBodyIsWhole()
    {
        var calls = 0;
        await using var backend = await TestBackend.StartAsync("whole", async context =>
        {
            Interlocked.Increment(ref calls);
            using var body = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync("got " + await body.ReadToEndAsync());
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backend)));

        using var client = await ConnectAsync(proxy);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /whole HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
        // A later, complete request on another connection reaches the backend first.
        using var canary = await proxy.Client.GetAsync("/canary");
        Assert.Equal(1, Volatile.Read(ref calls));

        await stream.WriteAsync(Encoding.ASCII.GetBytes("6\r\n world\r\n0\r\n\r\n"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await new RawHttp.ResponseReader(stream).ReadAsync(cancel.Token);
        Assert.Equal("got hello world", response.Body);
        Assert.Equal(2, Volatile.Read(ref calls));
    }
}
