using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.FunctionalTests.Grpc.Echo;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client.Web;

namespace Gatehouse.FunctionalTests.Grpc;

/// <summary>
/// gRPC-Web as browsers send it (HTTP/1.1, <c>application/grpc-web</c> or <c>grpc-web-text</c>) to a route with
/// <c>grpcWeb</c>; Gatehouse speaks gRPC over h2c to the service, and the trailers come back inside the body.
/// </summary>
public sealed class GrpcWebTests : IAsyncLifetime
{
    private readonly TestPki _pki = TestPki.Create();
    private GrpcBackend _backend = null!;
    private TestProxy _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await GrpcBackend.StartAsync();
        _proxy = await TestProxy.StartAsync(_pki.WithTls($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "compression": { "enabled": true, "types": [ "application/*", "text/*" ], "minimumSize": 0 },
              "routes": {
                "web": { "clusterId": "echo", "grpcWeb": true, "match": { "pathPrefix": "/gatehouse.test.Echo" } },
                "plain": { "clusterId": "echo", "match": { "pathPrefix": "/plain" }, "transforms": [ { "pathRemovePrefix": "/plain" } ] }
              },
              "clusters": { "echo": { "destinations": { "d1": { "address": "{{_backend.H2cAddress}}" } } } }
            }
            """));
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _pki.Dispose();
    }

    private static CancellationToken Test => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(GrpcWebMode.GrpcWeb)]
    [InlineData(GrpcWebMode.GrpcWebText)]
    public async Task GrpcWebClient_UnaryAndServerStreaming_ReachTheGrpcService(GrpcWebMode mode)
    {
        using var channel = GrpcChannels.Web(_proxy.Address, _pki, mode);
        var client = new Echo.Echo.EchoClient(channel);

        using var unary = client.UnaryAsync(new EchoRequest { Text = "web" }, cancellationToken: Test);
        var reply = await unary.ResponseAsync;
        Assert.Equal("web", reply.Text);
        Assert.Equal("HTTP/2", reply.Protocol); // gRPC (HTTP/2) to the service, whatever the browser spoke
        Assert.Equal("unary-done", unary.GetTrailers().GetValue("x-echo-trailer"));

        using var stream = client.ServerStream(new EchoRequest { Text = "s", Count = 5 }, cancellationToken: Test);
        var received = 0;
        await foreach (var _ in stream.ResponseStream.ReadAllAsync(Test))
        {
            received++;
        }

        Assert.Equal(5, received);
        Assert.Equal("sent-5", stream.GetTrailers().GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task GrpcWebClient_ErrorStatusAndTrailers_ComeBack()
    {
        using var channel = GrpcChannels.Web(_proxy.Address, _pki, GrpcWebMode.GrpcWeb);
        var client = new Echo.Echo.EchoClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryAsync(new EchoRequest { Text = "x", FailWith = (int)StatusCode.NotFound }, cancellationToken: Test));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("failed as asked: x", error.Status.Detail);
    }

    [Fact]
    public async Task RawGrpcWebRequest_AnswersWithATrailerFrame_AndIsNeverCompressed()
    {
        using var client = HttpsClient();
        using var request = GrpcWebRequest("/gatehouse.test.Echo/Unary", new EchoRequest { Text = new string('a', 4000) });
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");

        using var response = await client.SendAsync(request, Test);
        var body = await response.Content.ReadAsByteArrayAsync(Test);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/grpc-web", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        // One message frame (flag 0), then the trailers as a frame of their own (flag 0x80).
        Assert.Equal(0, body[0]);
        var messageLength = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1));
        Assert.Equal("a".PadRight(4000, 'a'), EchoReply.Parser.ParseFrom(body, 5, messageLength).Text);
        var trailer = body.AsSpan(5 + messageLength);
        Assert.Equal(0x80, trailer[0]);
        Assert.Contains("grpc-status: 0", Encoding.ASCII.GetString(trailer[5..]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteWithoutGrpcWeb_PassesGrpcWebThroughUntranslated()
    {
        using var client = HttpsClient();
        using var request = GrpcWebRequest("/plain/gatehouse.test.Echo/Unary", new EchoRequest { Text = "x" });

        using var response = await client.SendAsync(request, Test);

        // The gRPC service refuses gRPC-Web nobody translated (415): only grpcWeb routes translate.
        Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, _backend.Calls.Count);
    }

    private HttpClient HttpsClient() => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.Issued(certificate) },
    });

    private HttpRequestMessage GrpcWebRequest(string path, EchoRequest message)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_proxy.Address, path)) { Content = new ByteArrayContent(Frame(message.ToByteArray())) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web+proto");
        request.Headers.Add("X-Grpc-Web", "1");
        return request;
    }

    private static byte[] Frame(byte[] message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }
}
