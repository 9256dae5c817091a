using Gatehouse.Configuration;
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
internal sealed class ViaRequestTransform(GenerationHolder settings) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddRequestTransform(request =>
    {
        if (settings.For(request.HttpContext).HideBackend().Via is { } via)
        {
            request.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Via, via.ForProtocol(request.HttpContext.Request.Protocol));
        }

        return ValueTask.CompletedTask;
    });
}
