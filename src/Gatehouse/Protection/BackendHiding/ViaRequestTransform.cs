using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Runtime;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Protection;

/// <summary>
/// With <c>hideBackend.via</c> set, adds Gatehouse's member to the forwarded request's Via, after any the client sent
/// (RFC 9110 §7.6.3). <see cref="BackendResponseTransform"/> does the response direction. Read per request, so a reload
/// turns it on or off at once.
/// </summary>
internal sealed class ViaRequestTransform(GenerationHolder settings) : RequestTransform, ITransformProvider, IDirectRequestStep
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.RequestTransforms.Add(this);

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (ViaFor(context.HttpContext) is { } via)
        {
            context.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Via, via);
        }

        return ValueTask.CompletedTask;
    }

    public void OnDirectRequest(DirectRequestHead head)
    {
        if (ViaFor(head.Context) is { } via)
        {
            head.Add(HeaderNames.Via, via);
        }
    }

    private string? ViaFor(HttpContext context) => settings.For(context).HideBackend().Via?.ForProtocol(context.Request.Protocol);
}
