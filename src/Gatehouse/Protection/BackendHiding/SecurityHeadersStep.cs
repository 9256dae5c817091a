using Gatehouse.Http;
using Gatehouse.Http1;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Transforms;

namespace Gatehouse.Protection;

/// <summary>
/// The route's security headers on every backend response (removals, then additions the backend did not set), in its
/// YARP form and its direct form (the lean path's head).
/// </summary>
internal sealed class SecurityHeadersStep : ResponseTransform, IDirectResponseStep
{
    public static SecurityHeadersStep Instance { get; } = new();

    private SecurityHeadersStep()
    {
    }

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not null)
        {
            Apply(context.HttpContext);
        }

        return ValueTask.CompletedTask;
    }

    public void OnDirectResponse(HttpContext context, ResponseHead backend, ref bool suppressBody) => Apply(context);

    private static void Apply(HttpContext context)
    {
        // The route's own generation; every proxied request has one (RouteLimitsMiddleware refuses those without).
        if (RouteRuntime.Of(context)?.Protection() is { } route)
        {
            route.Headers.ApplyTo(context.Response.Headers);
        }
    }
}
