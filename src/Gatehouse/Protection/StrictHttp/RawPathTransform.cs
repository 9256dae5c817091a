using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Protection;

/// <summary>
/// On a route with <c>forwardRawPath</c>: the backend receives the client's path exactly as it was spelled (and the
/// query as it stands), instead of YARP's encoding of the canonical path. Routing and protection used the canonical
/// path; <see cref="RouteLimitsMiddleware"/> has already refused, on such a route, a raw path whose repeated slashes or
/// dot segments made it differ from the canonical one in more than percent-encoding. Every other route sends the
/// canonical path, which YARP percent-encodes (everything but RFC 3986 unreserved characters, sub-delims, <c>:</c>,
/// <c>@</c> and <c>/</c>), so the backend decodes exactly the canonical path.
/// </summary>
internal sealed class RawPathTransform : ITransformProvider
{
    /// <summary>YARP route metadata marking a forwardRawPath route (Lifecycle/YarpConfigMapper sets it).</summary>
    public const string ForwardRawPathMetadata = "Gatehouse.ForwardRawPath";

    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Route.Metadata?.ContainsKey(ForwardRawPathMetadata) == true)
        {
            context.AddRequestTransform(SetRawPath);
        }
    }

    /// <summary>True when the raw path differs from the canonical one in percent-encoding alone (or not at all).</summary>
    internal static bool CanForwardRawPath(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { } target
        || PathCanonicalization.Canonicalize(target) is { IsRefused: false, Restructured: false };

    private static ValueTask SetRawPath(RequestTransformContext transform)
    {
        if (transform.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is not { } target)
        {
            return ValueTask.CompletedTask;
        }

        var result = PathCanonicalization.Canonicalize(target);
        if (result.IsRefused || !result.IsPath || result.Restructured)
        {
            // Not reached (refused before routing, or by RouteLimitsMiddleware); the canonical path is forwarded then.
            return ValueTask.CompletedTask;
        }

        var path = result.PathEnd > result.PathStart ? target.AsSpan(result.PathStart, result.PathEnd - result.PathStart) : "/";
        var prefix = transform.DestinationPrefix.AsSpan();
        if (prefix.EndsWith("/"))
        {
            prefix = prefix[..^1];
        }

        var address = string.Concat(prefix, path, transform.Query.QueryString.ToUriComponent());
        transform.ProxyRequest.RequestUri = new Uri(address, in Verbatim);
        return ValueTask.CompletedTask;
    }
}
