using Gatehouse.Caching.Middleware;
using Gatehouse.Compression;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Health;
using Gatehouse.Http;
using Gatehouse.LoadBalancing;
using Gatehouse.Overload;
using Gatehouse.Protection;
using Gatehouse.RouteCaching;
using Gatehouse.Runtime;
using Gatehouse.StaticFiles;
using Gatehouse.TrafficShaping;

namespace Gatehouse.Lifecycle;

/// <summary>
/// Compiles a validated config into a <see cref="Generation"/>: each feature turns its own section into its typed
/// settings (IP lists, rate-limit policies, cache settings, timeouts, retry and health settings, backend hiding), once,
/// so that requests only read them. Pure: no I/O. The one place that knows every feature's settings type.
/// </summary>
public static class GenerationCompiler
{
    public static Generation Compile(GatehouseConfig config, int revision = 0)
    {
        var protection = ProtectionSettings.From(config);
        var limits = RouteLimitSettings.From(config);
        var features = FeatureSet.Empty
            .With(protection)
            .With(limits)
            .With(HideBackendSettings.From(config))
            .With<IAnswerHeaders>(protection.Unmatched.Headers);

        var clusters = config.Clusters.Select(c => KeyValuePair.Create(c.Key, FeatureSet.Empty
            .With(ClusterBalancing.From(c.Value))
            .With(RetryPolicy.From(c.Value))
            .With(LeanForwarding.From(c.Value, config))
            .With(FastCgiSettings.From(c.Value))
            .With(ProxyProtocolSending.From(c.Value))
            .With(PassiveHealthSettings.From(c.Value))
            .With(ActiveHealthThresholds.From(c.Value))
            .With(OutlierSettings.From(c.Value))
            .With(OverloadSettings.From(c.Value))
            .With(GrpcHealthCheck.From(c.Value))));

        var routes = config.Routes.Select(r =>
        {
            var routeProtection = protection.ForRoute(r.Key)!;
            return KeyValuePair.Create(r.Key, FeatureSet.Empty
                .With(routeProtection)
                .With<IAnswerHeaders>(routeProtection.Headers)
                .With(limits.Routes.GetValueOrDefault(r.Key))
                .With(RouteForwarding.From(r.Value))
                .With(RouteShaping.From(r.Value))
                .With<HttpCacheRouteSettings>(RouteCacheSettings.From(r.Value.Cache, config.Cache))
                .With(RouteCompression.From(config.Compression, r.Value.Compression, r.Value.Cache.Enabled))
                .With(RouteStaticFiles.From(r.Value, ScriptExtensionsOf(config, r.Value))));
        });

        return new Generation(revision, config, features, clusters, routes);
    }

    /// <summary>
    /// The script extensions (FastCGI's <c>splitPath</c>) of the FastCGI clusters a files route can send requests to (its
    /// cluster and its split's), which its files must never send as files; empty when there is none.
    /// </summary>
    private static IReadOnlyList<string> ScriptExtensionsOf(GatehouseConfig config, RouteDefinition route)
    {
        var clusters = (route.Split ?? []).Select(s => s.Cluster).Append(route.ClusterId);
        return clusters
            .Select(id => id is not null && config.Clusters.TryGetValue(id, out var cluster) ? FastCgiSettings.From(cluster) : null)
            .SelectMany(settings => settings?.SplitPath ?? [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
