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
    private readonly ForwardedHeadersStep _forwarded = new(settings);

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
            context.RequestTransforms.Add(_forwarded);
        }
        else
        {
            // The route configured its own X-Forwarded/Forwarded transforms: clean the client's values before them.
            context.RequestTransforms.Insert(0, new RequestFuncTransform(RemoveUntrustedForwardedHeaders));
        }

        context.ResponseTransforms.Add(SecurityHeadersStep.Instance);
    }

    private static ValueTask RemoveUntrustedForwardedHeaders(RequestTransformContext transform)
    {
        if (transform.HttpContext.Features.Get<ClientIdentity>() is null)
        {
            ForwardedHeadersStep.RemoveForwardingHeaders(transform.ProxyRequest.Headers);
        }

        return ValueTask.CompletedTask;
    }
}
