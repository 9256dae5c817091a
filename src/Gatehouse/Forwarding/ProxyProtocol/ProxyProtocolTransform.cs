using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Forwarding;

/// <summary>
/// For YARP's forwarder (TLS, HTTP/2 and the other requests the lean path does not carry): puts this request's client
/// header on the outgoing message, where <see cref="ProxyProtocolConnect"/> writes it at the start of the connection.
/// Only routes to clusters that send the PROXY protocol get the step.
/// </summary>
internal sealed class ProxyProtocolTransform : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Cluster?.Metadata?.ContainsKey(ProxyProtocolSending.Metadata) != true)
        {
            return;
        }

        context.AddRequestTransform(static request =>
        {
            if (ProxyProtocolSending.VersionFor(request.HttpContext) is var version and > 0)
            {
                var header = ClientProxyHeader.For(request.HttpContext, ClientProxyHeader.Source(request.HttpContext), version);
                request.ProxyRequest.Options.Set(ProxyProtocolConnect.HeaderOption, header);
            }

            return ValueTask.CompletedTask;
        });
    }
}
