using Gatehouse.Configuration;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Protection;

/// <summary>
/// The forwarded headers and the security headers, as YARP transforms.
/// <para>
/// Request: Gatehouse writes X-Forwarded-For, -Proto and -Host itself instead of YARP's defaults, from the resolved
/// client identity: behind trusted proxies they carry the checked chain and the client's scheme and host; otherwise the
/// peer and this request's own, and client-sent values are overwritten. Forwarded and X-Forwarded-Prefix from the
/// client are dropped. A route that configures YARP's X-Forwarded or Forwarded transforms itself keeps them, but
/// client-sent forwarding headers from an untrusted peer are removed before those run, so nothing is appended to them.
/// </para>
/// <para>Response: the route's security headers (removals, then additions when the backend did not set them).</para>
/// </summary>
internal sealed class ProtectionTransforms(GenerationHolder settings) : ITransformProvider
{
    private static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded"];

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.UseDefaultForwarders ?? true)
        {
            context.UseDefaultForwarders = false;
            context.AddRequestTransform(SetForwardedHeaders);
        }
        else
        {
            // The route configured its own X-Forwarded/Forwarded transforms: clean the client's values before them.
            context.RequestTransforms.Insert(0, new RequestFuncTransform(RemoveUntrustedForwardedHeaders));
        }

        context.AddResponseTransform(static response =>
        {
            // The route's own generation; every proxied request has one (RouteLimitsMiddleware refuses those without).
            if (response.ProxyResponse is not null && RouteRuntime.Of(response.HttpContext)?.Protection() is { } route)
            {
                route.Headers.ApplyTo(response.HttpContext.Response.Headers);
            }

            return ValueTask.CompletedTask;
        });
    }

    private ValueTask SetForwardedHeaders(RequestTransformContext transform)
    {
        var context = transform.HttpContext;
        var headers = transform.ProxyRequest.Headers;
        RemoveForwardingHeaders(headers);

        // Only a trusted proxy's request carries an identity (ClientIdentityMiddleware); with none configured, no look-up.
        var identity = settings.For(context).Protection().TrustedProxies.IsEmpty ? null : context.Features.Get<ClientIdentity>();
        var request = context.Request;
        if ((identity?.ForwardedFor ?? context.Connection.RemoteIpAddress?.ToString()) is { } forwardedFor)
        {
            headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        headers.TryAddWithoutValidation("X-Forwarded-Proto", identity?.Proto ?? request.Scheme);
        if ((identity?.Host ?? (request.Host.HasValue ? request.Host.Value : null)) is { } host)
        {
            headers.TryAddWithoutValidation("X-Forwarded-Host", host);
        }

        if (request.PathBase.HasValue)
        {
            headers.TryAddWithoutValidation("X-Forwarded-Prefix", request.PathBase.Value);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Removes the client's forwarding headers from the forwarded request. One pass over the names YARP copied (usually
    /// a handful) finds whether there is any, instead of five removals on every request.
    /// </summary>
    private static void RemoveForwardingHeaders(System.Net.Http.Headers.HttpRequestHeaders headers)
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

    private static ValueTask RemoveUntrustedForwardedHeaders(RequestTransformContext transform)
    {
        if (transform.HttpContext.Features.Get<ClientIdentity>() is null)
        {
            RemoveForwardingHeaders(transform.ProxyRequest.Headers);
        }

        return ValueTask.CompletedTask;
    }
}
