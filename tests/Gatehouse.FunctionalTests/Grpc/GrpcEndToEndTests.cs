using Gatehouse.FunctionalTests.Grpc.Echo;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Gatehouse.FunctionalTests.Grpc;

/// <summary>
/// gRPC through Gatehouse as it is usually deployed: Grpc.Net.Client speaks HTTP/2 over TLS to Gatehouse's HTTPS
/// listener, Gatehouse speaks h2c (cleartext HTTP/2 with prior knowledge) to a Grpc.AspNetCore service. All four call
/// types, headers, trailers and status codes, deadlines, cancellation and large messages (docs/grpc.md).
/// </summary>
public sealed class GrpcEndToEndTests : IAsyncLifetime
{
    private readonly TestPki _pki = TestPki.Create();
    private GrpcBackend _backend = null!;
    private TestProxy _proxy = null!;
    private GrpcChannel _channel = null!;
    private Echo.Echo.EchoClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await GrpcBackend.StartAsync();
        _proxy = await TestProxy.StartAsync(_pki.WithTls($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "limits": { "maxRequestBodyBytes": "32MB", "minRequestBodyDataRate": { "bytesPerSecond": 240, "gracePeriod": "2s" } },
              "compression": { "enabled": true, "types": [ "application/*", "text/*" ] },
              "routes": { "grpc": { "clusterId": "echo", "match": { "pathPrefix": "/gatehouse.test.Echo" } } },
              "clusters": { "echo": { "destinations": { "d1": { "address": "{{_backend.H2cAddress}}" } } } }
            }
            """));
        _channel = GrpcChannels.Tls(_proxy.Address, _pki);
        _client = new Echo.Echo.EchoClient(_channel);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _pki.Dispose();
    }

    private static CancellationToken Test => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unary_ReachesTheServiceOverH2c_WithHeadersAndTrailers()
    {
        using var call = _client.UnaryAsync(new EchoRequest { Text = "hello" }, cancellationToken: Test);

        var reply = await call.ResponseAsync;
        Assert.Equal("hello", reply.Text);
        Assert.Equal("HTTP/2", reply.Protocol); // the backend got HTTP/2 over cleartext: h2c
        Assert.Equal("unary", (await call.ResponseHeadersAsync).GetValue("x-echo-header"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("unary-done", call.GetTrailers().GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task ServerStreaming_DeliversEveryMessageThenTheTrailers()
    {
        using var call = _client.ServerStream(new EchoRequest { Text = "s", Count = 50 }, cancellationToken: Test);

        var indexes = new List<int>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync(Test))
        {
            indexes.Add(reply.Index);
        }

        Assert.Equal(Enumerable.Range(0, 50), indexes);
        Assert.Equal("sent-50", call.GetTrailers().GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task ClientStreaming_DeliversEveryMessage()
    {
        using var call = _client.ClientStream(cancellationToken: Test);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"m{i}" }, Test);
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync;

        Assert.Equal(string.Join(",", Enumerable.Range(0, 20).Select(i => $"m{i}")), reply.Text);
        Assert.Equal("received-20-0", call.GetTrailers().GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task Bidirectional_EachMessageIsAnsweredBeforeTheNextIsSent()
    {
        using var call = _client.Duplex(cancellationToken: Test);
        for (var i = 0; i < 10; i++)
        {
            // Full duplex: the answer to message i arrives while the request stream is still open.
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"ping{i}" }, Test);
            Assert.True(await call.ResponseStream.MoveNext(Test));
            Assert.Equal($"ping{i}", call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Test));
        Assert.Equal("echoed-10", call.GetTrailers().GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task QuietBidirectionalStream_IsNotTakenForASlowClient()
    {
        using var call = _client.Duplex(cancellationToken: Test);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "first" }, Test);
        Assert.True(await call.ResponseStream.MoveNext(Test));

        // The client has nothing to say for longer than minRequestBodyDataRate's grace period, as chat-like streams do.
        await Task.Delay(TimeSpan.FromSeconds(4), Test);

        await call.RequestStream.WriteAsync(new EchoRequest { Text = "second" }, Test);
        Assert.True(await call.ResponseStream.MoveNext(Test));
        Assert.Equal("second", call.ResponseStream.Current.Text);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Test));
    }

    [Theory]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.Unavailable)]
    public async Task ErrorStatus_ReachesTheClientAsTheServiceSentIt(StatusCode status)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryAsync(new EchoRequest { Text = "x", FailWith = (int)status }, cancellationToken: Test));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal("failed as asked: x", error.Status.Detail);
        Assert.Equal("failed", error.Trailers.GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task ErrorAfterStreamedMessages_KeepsTheMessagesAndTheStatus()
    {
        using var call = _client.ServerStream(new EchoRequest { Text = "s", Count = 3, FailWith = (int)StatusCode.Aborted }, cancellationToken: Test);

        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(Test))
            {
                received++;
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
    }

    [Fact]
    public async Task ClientCancel_ReachesTheService()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Test);
        using var call = _client.ServerStream(new EchoRequest { Text = "held", Count = 1, Hold = true }, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(Test));
        await _backend.Calls.Held.WaitAsync(TimeSpan.FromSeconds(10), Test);

        await cancel.CancelAsync();

        // The client's RST_STREAM went to Gatehouse; Gatehouse reset its own stream to the backend, whose call context saw it.
        await _backend.Calls.Cancelled.WaitAsync(TimeSpan.FromSeconds(10), Test);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Test));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Deadline_EndsTheCallOnBothSides()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryAsync(new EchoRequest { Text = "slow", Hold = true }, deadline: DateTime.UtcNow.AddMilliseconds(500), cancellationToken: Test));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        // grpc-timeout went through to the service, whose own deadline (or the reset) cancelled the call there too.
        await _backend.Calls.Cancelled.WaitAsync(TimeSpan.FromSeconds(10), Test);
    }

    [Fact]
    public async Task LargeMessages_GoBothWaysWhole()
    {
        var payload = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(payload);

        var reply = await _client.UnaryAsync(new EchoRequest { Text = "big", Payload = ByteString.CopyFrom(payload) }, cancellationToken: Test);

        Assert.True(payload.AsSpan().SequenceEqual(reply.Payload.Span));
    }

    [Fact]
    public async Task LongClientStream_IsNeitherBufferedNorCutOff()
    {
        // 24 MB in 1 MB messages: more than the default request body buffer, and all of it streamed.
        using var call = _client.ClientStream(cancellationToken: Test);
        var chunk = ByteString.CopyFrom(new byte[1024 * 1024]);
        for (var i = 0; i < 24; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"{i}", Payload = chunk }, Test);
        }

        await call.RequestStream.CompleteAsync();
        await call.ResponseAsync;

        Assert.Equal($"received-24-{24 * 1024 * 1024}", call.GetTrailers().GetValue("x-echo-trailer"));
    }
}
