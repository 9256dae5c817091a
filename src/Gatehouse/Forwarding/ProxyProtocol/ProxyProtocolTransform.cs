using Gatehouse.Http;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Forwarding;

/// <summary>
/// For YARP's forwarder (TLS, HTTP/2 and the other requests the lean path does not carry): puts this request's client
/// header on the outgoing message, where <see cref="ProxyProtocolConnect"/> writes it at the start of the connection.
/// Only routes to clusters that send the PROXY protocol get the step.
/// </summary>
internal sealed class ProxyProtocolTransform : RequestTransform, ITransformProvider, IDirectRequestStep
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Cluster?.Metadata?.ContainsKey(ProxyProtocolSending.Metadata) == true)
        {
            context.RequestTransforms.Add(this);
        }
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (ProxyProtocolSending.VersionFor(context.HttpContext) is var version and > 0)
        {
            var header = ClientProxyHeader.For(context.HttpContext, ClientProxyHeader.Source(context.HttpContext), version);
            context.ProxyRequest.Options.Set(ProxyProtocolConnect.HeaderOption, header);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Nothing to do on the lean path: its connections to such a destination are the client connection's own (LeanForwarder.PoolFor).</summary>
    public void OnDirectRequest(DirectRequestHead head)
    {
    }
}
