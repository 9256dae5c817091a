using Gatehouse.FunctionalTests.Tls;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;

namespace Gatehouse.FunctionalTests.Grpc;

/// <summary>Grpc.Net.Client channels to Gatehouse: HTTP/2 over TLS (trusting the test CA), or gRPC-Web over HTTP/1.1.</summary>
public static class GrpcChannels
{
    public static GrpcChannel Tls(Uri address, TestPki pki) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = Handler(pki),
        MaxReceiveMessageSize = GrpcBackend.MaxMessageBytes,
        MaxSendMessageSize = GrpcBackend.MaxMessageBytes,
    });

    /// <summary>gRPC-Web as a browser sends it: HTTP/1.1, binary (<c>application/grpc-web</c>) or base64 (<c>grpc-web-text</c>).</summary>
    public static GrpcChannel Web(Uri address, TestPki pki, GrpcWebMode mode) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new GrpcWebHandler(mode, Handler(pki)),
        HttpVersion = System.Net.HttpVersion.Version11,
        HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        MaxReceiveMessageSize = GrpcBackend.MaxMessageBytes,
    });

    private static SocketsHttpHandler Handler(TestPki pki) => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => pki.Issued(certificate) },
    };
}
