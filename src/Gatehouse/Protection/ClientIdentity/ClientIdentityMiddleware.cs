using Gatehouse.Configuration;
using Gatehouse.Runtime;

namespace Gatehouse.Protection;

/// <summary>
/// Outermost: settles who the client is before anything logs or limits it. IPv4-mapped IPv6 peers become plain IPv4.
/// When the peer is a trusted proxy, the client found behind it becomes <c>Connection.RemoteIpAddress</c> (what the access
/// log, IP lists and rate limits see) and a <see cref="ClientIdentity"/> feature keeps the peer, scheme and host for the
/// forwarded headers. With no trusted proxies (the default) this is two tests per request.
/// </summary>
internal sealed class ClientIdentityMiddleware(RequestDelegate next, GenerationHolder settings)
{
    public Task InvokeAsync(HttpContext context)
    {
        var connection = context.Connection;
        if (connection.RemoteIpAddress is not { } peer)
        {
            return next(context);
        }

        var normalized = IpNetworkList.Normalize(peer);
        if (!ReferenceEquals(normalized, peer))
        {
            peer = normalized;
            connection.RemoteIpAddress = peer;
        }

        var trusted = settings.Current.Protection().TrustedProxies;
        if (trusted.IsEmpty || !trusted.Contains(peer))
        {
            return next(context);
        }

        var headers = context.Request.Headers;
        var identity = ClientIdentityResolver.Resolve(peer, trusted, headers["Forwarded"], headers["X-Forwarded-For"], headers["X-Forwarded-Proto"], headers["X-Forwarded-Host"]);
        context.Features.Set(identity);
        connection.RemoteIpAddress = identity.ClientIp;
        return next(context);
    }
}
