using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Transforms;

namespace Gatehouse.Protection;

/// <summary>
/// Gatehouse's X-Forwarded-For, -Proto, -Host (and -Prefix under a path base), in place of YARP's defaults: from the
/// resolved client identity behind trusted proxies, otherwise the peer and this request's own scheme and host. What
/// the client sent under these names, and its Forwarded, never reaches the backend. One instance for every route, in
/// its YARP form (on the message) and its direct form (the lean path's head).
/// </summary>
internal sealed class ForwardedHeadersStep(GenerationHolder settings) : RequestTransform, IDirectRequestStep
{
    internal static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded"];

    public override ValueTask ApplyAsync(RequestTransformContext transform)
    {
        var headers = transform.ProxyRequest.Headers;
        RemoveForwardingHeaders(headers);
        var (forwardedFor, proto, host, prefix) = Values(transform.HttpContext);
        if (forwardedFor is not null)
        {
            headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        headers.TryAddWithoutValidation("X-Forwarded-Proto", proto);
        if (host is not null)
        {
            headers.TryAddWithoutValidation("X-Forwarded-Host", host);
        }

        if (prefix is not null)
        {
            headers.TryAddWithoutValidation("X-Forwarded-Prefix", prefix);
        }

        return ValueTask.CompletedTask;
    }

    public void OnDirectRequest(DirectRequestHead head)
    {
        foreach (var name in ForwardingHeaders)
        {
            head.Remove(name);
        }

        var (forwardedFor, proto, host, prefix) = Values(head.Context);
        if (forwardedFor is not null)
        {
            head.Add("X-Forwarded-For", forwardedFor);
        }

        head.Add("X-Forwarded-Proto", proto);
        if (host is not null)
        {
            head.Add("X-Forwarded-Host", host);
        }

        if (prefix is not null)
        {
            head.Add("X-Forwarded-Prefix", prefix);
        }
    }

    private (string? ForwardedFor, string Proto, string? Host, string? Prefix) Values(HttpContext context)
    {
        // Only a trusted proxy's request carries an identity (ClientIdentityMiddleware); with none configured, no look-up.
        var identity = settings.For(context).Protection().TrustedProxies.IsEmpty ? null : context.Features.Get<ClientIdentity>();
        var request = context.Request;
        return (identity?.ForwardedFor ?? context.Connection.RemoteIpAddress?.ToString(),
            identity?.Proto ?? request.Scheme,
            identity?.Host ?? (request.Host.HasValue ? request.Host.Value : null),
            request.PathBase.HasValue ? request.PathBase.Value : null);
    }

    /// <summary>
    /// Removes the client's forwarding headers from the forwarded request. One pass over the names YARP copied (usually
    /// a handful) finds whether there is any, instead of five removals on every request.
    /// </summary>
    internal static void RemoveForwardingHeaders(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        var any = false;
        foreach (var header in headers.NonValidated)
        {
            if (ForwardingHeaders.Contains(header.Key, StringComparer.OrdinalIgnoreCase))
            {
                any = true;
                break;
            }
        }

        if (any)
        {
            foreach (var name in ForwardingHeaders)
            {
                headers.Remove(name);
            }
        }
    }
}
