using Gatehouse.Runtime;
using Yarp.ReverseProxy;

namespace Gatehouse.TrafficShaping;

/// <summary>
/// The step of YARP's proxy pipeline before the attempt loop, for routes with a split or a mirror: it moves the request
/// to the cluster the split chose (YARP's <c>ReassignProxyRequest</c>: that cluster's destinations, health, balancing
/// and settings apply from here on, retries included), then starts the mirror copy. A route without either passes at
/// the cost of one look-up.
/// </summary>
internal sealed class TrafficShapingMiddleware(RequestDelegate next, IProxyStateLookup proxyState, MirrorSender mirrors, ShapingTelemetry telemetry)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (RouteRuntime.Of(context) is not { } runtime || runtime.Get<RouteShaping>() is not { } shaping)
        {
            return next(context);
        }

        if (shaping.Split is { } split)
        {
            Route(context, runtime.RouteId, split);
        }

        return shaping.Mirror is { } mirror && mirror.Samples(Random.Shared.NextDouble())
            ? MirrorThenForwardAsync(context, runtime.RouteId, mirror)
            : next(context);
    }

    private void Route(HttpContext context, string routeId, RouteSplit split)
    {
        var proxy = context.GetReverseProxyFeature();
        var current = proxy.Cluster.Config.ClusterId;
        // A cluster a reload removed meanwhile: the route's own cluster serves the request.
        if (SplitDecision.Choose(split, context, Random.Shared) is { } chosen
            && !string.Equals(chosen, current, StringComparison.OrdinalIgnoreCase)
            && proxyState.TryGetCluster(chosen, out var cluster))
        {
            context.ReassignProxyRequest(cluster);
            current = cluster.ClusterId;
        }

        telemetry.Split(routeId, current);
    }

    private async Task MirrorThenForwardAsync(HttpContext context, string routeId, RouteMirror mirror)
    {
        await mirrors.CopyAsync(context, routeId, mirror);
        await next(context);
    }
}
