using Gatehouse.Http;
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
            context.RequestTransforms.Add(RawPathStep.Instance);
        }
    }

    /// <summary>True when the raw path differs from the canonical one in percent-encoding alone (or not at all).</summary>
    internal static bool CanForwardRawPath(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { } target
        || PathCanonicalization.Canonicalize(target) is { IsRefused: false, Restructured: false };

    /// <summary>The step itself, in its YARP form (the message's RequestUri) and its direct form (the lean path's target).</summary>
    private sealed class RawPathStep : RequestTransform, IDirectRequestStep
    {
        public static RawPathStep Instance { get; } = new();

        private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

        public override ValueTask ApplyAsync(RequestTransformContext transform)
        {
            if (RawAddress(transform.HttpContext, transform.DestinationPrefix, transform.Query.QueryString) is { } address)
            {
                transform.ProxyRequest.RequestUri = new Uri(address, in Verbatim);
            }

            return ValueTask.CompletedTask;
        }

        public void OnDirectRequest(DirectRequestHead head)
        {
            if (RawAddress(head.Context, head.DestinationPrefix, head.Context.Request.QueryString) is { } address)
            {
                head.Target = new Uri(address, in Verbatim).PathAndQuery;
            }
        }

        private static string? RawAddress(HttpContext context, string destinationPrefix, QueryString query)
        {
            if (context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { } target)
            {
                return null;
            }

            var result = PathCanonicalization.Canonicalize(target);
            if (result.IsRefused || !result.IsPath || result.Restructured)
            {
                // Not reached (refused before routing, or by RouteLimitsMiddleware); the canonical path is forwarded then.
                return null;
            }

            var path = result.PathEnd > result.PathStart ? target.AsSpan(result.PathStart, result.PathEnd - result.PathStart) : "/";
            var prefix = destinationPrefix.AsSpan();
            if (prefix.EndsWith("/"))
            {
                prefix = prefix[..^1];
            }

            return string.Concat(prefix, path, query.ToUriComponent());
        }
    }
}
