using System.Net;
using System.Security.Authentication;
using Gatehouse.ProxyProtocol;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Gatehouse.Forwarding;

/// <summary>
/// The PROXY protocol header that describes a request's client, as HAProxy's <c>send-proxy</c> does: the source is the
/// client as Gatehouse knows it for this request (the TCP peer, the client a PROXY header from a trusted balancer named,
/// or the one found behind trusted proxies: the address the access log, IP lists and X-Forwarded-For use), the
/// destination the address the connection reached Gatehouse on. v2 adds the client's TLS: version, cipher, SNI and
/// ALPN, and whether it sent a certificate.
/// </summary>
public static class ClientProxyHeader
{
    /// <summary>The client's endpoint as the header names it; null when unknown (the header then says UNKNOWN/LOCAL).</summary>
    public static IPEndPoint? Source(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } client ? new IPEndPoint(client, context.Connection.RemotePort) : null;

    public static byte[] For(HttpContext context, IPEndPoint? source, int version)
    {
        var connection = context.Connection;
        IPEndPoint? destination = connection.LocalIpAddress is { } local ? new IPEndPoint(local, connection.LocalPort) : null;
        return ProxyHeaderWriter.Write(version, source, destination, version == 2 ? Tls(context) : null);
    }

    private static ProxyTlsInfo? Tls(HttpContext context)
    {
        if (context.Features.Get<ITlsHandshakeFeature>() is not { } handshake)
        {
            return null;
        }

        var certificate = context.Connection.ClientCertificate;
        return new ProxyTlsInfo
        {
            Version = handshake.Protocol switch
            {
                SslProtocols.Tls13 => "TLSv1.3",
                SslProtocols.Tls12 => "TLSv1.2",
                var other => other.ToString(),
            },
            Cipher = handshake.NegotiatedCipherSuite?.ToString(),
            ServerName = handshake.HostName,
            Alpn = context.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol ?? ReadOnlyMemory<byte>.Empty,
            ClientCertificate = certificate is not null,
            // A listener that asks for client certificates names the CAs they must chain to, and the handshake refuses any
            // other: a certificate the connection holds was verified.
            ClientCertificateVerified = certificate is not null,
            ClientCommonName = certificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false),
        };
    }
}
