using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>
/// Which requests the lean path carries: HTTP/1.1 to an <c>http://</c> destination, as HttpClient would send it. The rest
/// goes to YARP's forwarder: TLS to backends, a cluster that asks for HTTP/1.0 or for HTTP/2 without falling back
/// (h2c), upgrades (WebSockets, SPDY), extended CONNECT, CONNECT, and gRPC from HTTP/2 clients (full-duplex streaming
/// with trailers, which an HTTP/1.1 backend cannot carry anyway).
/// </summary>
public static class LeanPath
{
    public static bool Covers(HttpContext context, string destinationPrefix, ForwarderRequestConfig config) =>
        IsCleartextHttp(destinationPrefix)
        && AllowsHttp11(config.Version, config.VersionPolicy)
        && !IsUpgradeOrTunnel(context)
        && !IsGrpcFromHttp2(context.Request);

    internal static bool IsCleartextHttp(string destinationPrefix) =>
        destinationPrefix.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Over cleartext, HttpClient speaks HTTP/1.1 unless the version is 1.0, or 2+ with a policy that forbids a lower one
    /// (YARP's default is 2.0 "or lower", which is HTTP/1.1 without ALPN).
    /// </summary>
    internal static bool AllowsHttp11(Version? version, HttpVersionPolicy? policy)
    {
        var v = version ?? HttpVersion.Version20;
        if (v.Major == 1)
        {
            return v.Minor >= 1;
        }

        return (policy ?? HttpVersionPolicy.RequestVersionOrLower) == HttpVersionPolicy.RequestVersionOrLower;
    }

    private static bool IsUpgradeOrTunnel(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
        || HttpMethods.IsConnect(context.Request.Method);

    private static bool IsGrpcFromHttp2(HttpRequest request) =>
        !HttpProtocol.IsHttp11(request.Protocol) && !HttpProtocol.IsHttp10(request.Protocol)
        && request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
}
