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
/// so that requests only read them. What the check already parsed (<see cref="ParsedConfig"/>) is taken as it is. Pure: no I/O. The one place that knows every feature's settings type.
/// </summary>
public static class GenerationCompiler
{
    /// <summary>Checks <paramref name="config"/> and compiles what the check parsed (for a config no check has seen yet).</summary>
    public static Generation Compile(GatehouseConfig config, int revision = 0) => Compile(config, ConfigValidator.Check(config).Parsed, revision);

    /// <summary>
    /// The generation of a checked config, built from the objects its check parsed (<see cref="ParsedConfig"/>): the IP
    /// lists and policies in force are the very ones the check accepted.
    /// </summary>
    public static Generation Compile(GatehouseConfig config, ParsedConfig parsed, int revision = 0)
    {
        var protection = ProtectionSettings.From(config, parsed.Protection);
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
            .With(GrpcHealthCheck.From(c.Value))
            .With(parsed.UpstreamTls.GetValueOrDefault(c.Key)))).ToList();

        var routes = config.Routes.Select(r =>
        {
            var routeProtection = protection.ForRoute(r.Key)!;
            return KeyValuePair.Create(r.Key, FeatureSet.Empty
                .With(routeProtection)
                .With<IAnswerHeaders>(routeProtection.Headers)
                .With(limits.Routes.GetValueOrDefault(r.Key))
                .With(parsed.RouteForwardings.GetValueOrDefault(r.Key))
                .With(RouteShaping.From(r.Value))
                .With(parsed.RouteCaches.GetValueOrDefault(r.Key))
                .With(RouteCompression.From(config.Compression, r.Value.Compression, r.Value.Cache.Enabled))
                .With(RouteStaticFiles.From(r.Value, ScriptExtensionsOf(clusters, r.Value))));
        });

        return new Generation(revision, config, features, clusters, routes);
    }

    /// <summary>
    /// The script extensions (FastCGI's <c>splitPath</c>) of the FastCGI clusters a files route can send requests to (its
    /// cluster and its split's), which its files must never send as files; empty when there is none. Read from the
    /// clusters compiled above, not compiled again per route.
    /// </summary>
    private static IReadOnlyList<string> ScriptExtensionsOf(List<KeyValuePair<string, FeatureSet>> clusters, RouteDefinition route) =>
        (route.Split ?? []).Select(s => s.Cluster).Append(route.ClusterId)
        .Select(id => clusters.FirstOrDefault(c => string.Equals(c.Key, id, StringComparison.OrdinalIgnoreCase)).Value?.Get<FastCgiSettings>())
        .SelectMany(settings => settings?.SplitPath ?? [])
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .ToList();
}
