using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Forwarding;

/// <summary>
/// Runs on every backend response, after YARP copied status and headers and before any body byte is sent: drops headers
/// that reveal the backend and those the backend named in Connection, ends the route timeout, and holds back a retryable
/// status so the attempt loop can try again.
/// </summary>
internal sealed class BackendResponseTransform : ITransformProvider
{
    /// <summary>Headers that name the backend's software; the client only ever sees Gatehouse.</summary>
    internal static readonly string[] IdentityHeaders = ["Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"];

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddResponseTransform(OnResponse);

    private static ValueTask OnResponse(ResponseTransformContext context)
    {
        var state = context.HttpContext.Features.Get<ForwardingState>();
        if (context.ProxyResponse is null)
        {
            return ValueTask.CompletedTask;
        }

        var headers = context.HttpContext.Response.Headers;
        foreach (var name in IdentityHeaders)
        {
            headers.Remove(name);
        }

        // RFC 9110 §7.6.1: fields the backend named in Connection are for its hop only.
        if (context.ProxyResponse.Headers.Connection is { Count: > 0 } connection)
        {
            foreach (var name in connection)
            {
                if (!string.Equals(name, "close", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    headers.Remove(name);
                }
            }
        }

        var status = (int)context.ProxyResponse.StatusCode;
        if (state is { RetryAllowed: true } && state.RetryStatuses.Contains(status))
        {
            context.SuppressResponseBody = true;
            state.RejectedStatus = status;
            return ValueTask.CompletedTask;
        }

        // This response goes to the client: the route timeout (time to response headers) is met.
        state?.DisarmTimeout();

        return ValueTask.CompletedTask;
    }
}
