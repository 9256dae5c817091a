using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Forwarding;

/// <summary>
/// Registered after every other transform provider, so that it sees each route's transforms complete as YARP builds
/// the route's transformer, and keeps the route's <see cref="DirectPlan"/> (or none) with the route's config. The lean
/// forwarder asks for it per request, and uses it only with the transformer it was made for.
/// </summary>
public sealed class DirectHeadRoutes : ITransformProvider
{
    private readonly ConditionalWeakTable<RouteConfig, DirectPlan> _plans = new();

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Route is not { } route)
        {
            return;
        }

        if (DirectPlan.For(context) is { } plan)
        {
            _plans.AddOrUpdate(route, plan);
        }
        else
        {
            _plans.Remove(route);
        }
    }

    /// <summary>The plan of the request's route, when <paramref name="transformer"/> is that route's own (built with the plan).</summary>
    public DirectPlan? For(IReverseProxyFeature? proxy, HttpTransformer transformer) =>
        proxy?.Route is { } route && ReferenceEquals(route.Transformer, transformer) && _plans.TryGetValue(route.Config, out var plan) ? plan : null;
}
