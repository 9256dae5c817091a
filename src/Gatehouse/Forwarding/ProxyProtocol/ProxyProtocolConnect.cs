using System.Net.Sockets;
using Gatehouse.ProxyProtocol;

namespace Gatehouse.Forwarding;

/// <summary>
/// The connect callback of YARP's client for a cluster that sends the PROXY protocol: it connects, then writes the
/// header before TLS or HTTP. The header is the one <see cref="ProxyProtocolTransform"/> put on the request that opened
/// the connection; a request without one (an active health probe: Gatehouse speaking for itself) gets v1
/// <c>UNKNOWN</c> or v2 <c>LOCAL</c>, and a destination set to <c>none</c> nothing. The handler keeps no connection for
/// reuse (HttpClient's pool is shared by every client of the cluster), so each request opens its own; the lean path
/// (http:// destinations, HTTP/1.1) keeps them per client connection instead (docs/proxy-protocol.md).
/// </summary>
public static class ProxyProtocolConnect
{
    public static readonly HttpRequestOptionsKey<byte[]> HeaderOption = new("Gatehouse.ProxyProtocolHeader");

    /// <summary>Configures <paramref name="handler"/> when the cluster's metadata names PROXY protocol destinations.</summary>
    public static void Configure(SocketsHttpHandler handler, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue(ProxyProtocolSending.Metadata, out var value))
        {
            return;
        }

        var versions = ProxyProtocolSending.ParseMetadata(value);
        handler.PooledConnectionLifetime = TimeSpan.Zero;
        handler.ConnectCallback = (context, cancellation) => ConnectAsync(context, versions, cancellation);
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, Dictionary<string, int> versions, CancellationToken cancellation)
    {
        var endPoint = context.DnsEndPoint;
        var version = versions.GetValueOrDefault(ProxyProtocolSending.Authority(endPoint.Host, endPoint.Port));
        var header = context.InitialRequestMessage.Options.TryGetValue(HeaderOption, out var carried) ? carried
            : version > 0 ? ProxyHeaderWriter.Write(version, null, null)
            : null;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellation);
            if (header is not null)
            {
                await socket.SendAsync(header, SocketFlags.None, cancellation);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
