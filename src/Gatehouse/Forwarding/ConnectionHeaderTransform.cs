using Gatehouse.Http;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Forwarding;

/// <summary>
/// RFC 9110 §7.6.1: a proxy removes every header field named in <c>Connection</c> before forwarding. This is the
/// request direction; <see cref="BackendResponseTransform"/> does the response direction in the same pass as its other work.
/// YARP already drops the fixed hop-by-hop fields (Connection, Keep-Alive, TE, Upgrade…); this handles the named ones.
/// Kestrel collapses a Connection value with a single keep-alive/close/upgrade token to that token; Gatehouse's request
/// header decoder rewrites such values first so the other names stay visible here (<see cref="Protection.ConnectionTokens"/>).
/// </summary>
internal sealed class ConnectionHeaderTransform : RequestTransform, ITransformProvider, IDirectRequestStep
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
        var connection = context.HttpContext.Request.Headers.Connection;
        if (connection.Count > 0)
        {
            foreach (var name in Tokens(connection))
            {
                context.ProxyRequest.Headers.Remove(name);
                context.ProxyRequest.Content?.Headers.Remove(name);
            }
        }

        return ValueTask.CompletedTask;
    }

    public void OnDirectRequest(DirectRequestHead head)
    {
        var connection = head.Context.Request.Headers.Connection;
        if (connection.Count > 0)
        {
            foreach (var name in Tokens(connection))
            {
                head.Remove(name);
            }
        }
    }

    private static IEnumerable<string> Tokens(StringValues values)
    {
        foreach (var value in values)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return token;
            }
        }
    }
}
