using System.Collections.Frozen;
using Gatehouse.Caching;
using Gatehouse.Caching.Middleware;
using Gatehouse.LoadBalancing;

namespace Gatehouse.Configuration;

/// <summary>
/// The Gatehouse settings that YARP's own config model has no place for, resolved from a validated
/// <see cref="GatehouseConfig"/> once per reload so the request path only does dictionary look-ups.
/// </summary>
public sealed record RuntimeSettings(
    GatehouseConfig Config,
    FrozenDictionary<string, ClusterRuntimeSettings> Clusters,
    FrozenDictionary<string, RouteRuntimeSettings> Routes)
{
    public static RuntimeSettings Empty { get; } = new(new GatehouseConfig(), FrozenDictionary<string, ClusterRuntimeSettings>.Empty, FrozenDictionary<string, RouteRuntimeSettings>.Empty);

    public static RuntimeSettings From(GatehouseConfig config, int revision = 0) => new(
        config,
        config.Clusters.ToFrozenDictionary(c => c.Key, c => ClusterRuntimeSettings.From(c.Value), StringComparer.OrdinalIgnoreCase),
        config.Routes.ToFrozenDictionary(r => r.Key, r => RouteRuntimeSettings.From(r.Value, config.Cache), StringComparer.OrdinalIgnoreCase))
    {
        HideBackend = Gatehouse.Protection.HideBackendSettings.From(config),
        Protection = Gatehouse.Protection.ProtectionSettings.From(config),
        RouteLimits = Gatehouse.Protection.RouteLimitSettings.From(config),
        Revision = revision,
    };

    /// <summary>The reload revision this generation was applied as (0 for one never applied).</summary>
    public int Revision { get; init; }

    /// <summary>Backend hiding (docs/protection.md), read on every response.</summary>
    public Gatehouse.Protection.HideBackendSettings HideBackend { get; init; } = Gatehouse.Protection.HideBackendSettings.Default;

    /// <summary>Trusted proxies, IP lists, methods, rate limit policies, auth and security headers (src/Gatehouse/Protection).</summary>
    public Gatehouse.Protection.ProtectionSettings Protection { get; init; } = Gatehouse.Protection.ProtectionSettings.Empty;

    /// <summary>Known hosts, the unknown-host status and routes' body limits and timeouts (Protection/RouteLimitsMiddleware).</summary>
    public Gatehouse.Protection.RouteLimitSettings RouteLimits { get; init; } = Gatehouse.Protection.RouteLimitSettings.Empty;
}

public sealed record ClusterRuntimeSettings(
    HashKey HashKey,
    FrozenDictionary<string, int> Weights,
    RetryPolicy Retry,
    PassiveHealthSettings PassiveHealth,
    ActiveHealthThresholds ActiveHealth)
{
    public static ClusterRuntimeSettings Default { get; } = From(new ClusterDefinition());

    public int WeightOf(string destinationId) => Weights.TryGetValue(destinationId, out var weight) ? weight : 1;

    public static ClusterRuntimeSettings From(ClusterDefinition cluster)
    {
        var hashKey = HashKey.TryParse(cluster.HashKey, out var parsed) ? parsed : HashKey.ClientIp;
        var retry = cluster.Retry;
        var budget = retry.Budget;
        var passive = cluster.HealthCheck.Passive;
        var active = cluster.HealthCheck.Active;
        return new ClusterRuntimeSettings(
            hashKey,
            cluster.Destinations.ToFrozenDictionary(d => d.Key, d => d.Value.Weight, StringComparer.OrdinalIgnoreCase),
            new RetryPolicy(
                retry.Enabled ? retry.MaxAttempts : 1,
                retry.Statuses.ToFrozenSet(),
                new RetryBudgetSettings(budget.Percent / 100.0, budget.MinRetriesPerSecond, budget.Window.Value ?? TimeSpan.FromSeconds(10))),
            new PassiveHealthSettings(passive.ConsecutiveFailures, passive.CountServerErrors, passive.ReactivationPeriod.Value ?? TimeSpan.FromSeconds(10)),
            new ActiveHealthThresholds(active.HealthyThreshold, active.UnhealthyThreshold));
    }
}

public sealed record RetryPolicy(int MaxAttempts, FrozenSet<int> Statuses, RetryBudgetSettings Budget);

public sealed record RetryBudgetSettings(double Ratio, int MinRetriesPerSecond, TimeSpan Window);

public sealed record PassiveHealthSettings(int ConsecutiveFailures, bool CountServerErrors, TimeSpan ReactivationPeriod);

public sealed record ActiveHealthThresholds(int Healthy, int Unhealthy);

public sealed record RouteRuntimeSettings(TimeSpan? Timeout, bool RetryUnsafeMethods, long MaxBufferedBodyBytes, HttpCacheRouteSettings? Cache = null)
{
    public static RouteRuntimeSettings From(RouteDefinition route, CacheDefinition? cache = null) =>
        new(route.Timeout?.Value, route.Retry.AllowUnsafeMethods, route.Retry.MaxBufferedBodyBytes, CacheSettings(route.Cache, cache ?? new CacheDefinition()));

    private static HttpCacheRouteSettings? CacheSettings(RouteCacheDefinition route, CacheDefinition cache) => !route.Enabled ? null : new HttpCacheRouteSettings
    {
        Policy = new CachePolicy
        {
            TargetedFieldNames = [cache.TargetedField, CachePolicy.CdnCacheControl],
            HeuristicFraction = route.HeuristicFraction,
            HeuristicMaxLifetime = route.HeuristicMaxLifetime.Value ?? TimeSpan.FromDays(1),
            MaxStaleOnError = route.MaxStaleOnError.Value ?? TimeSpan.Zero,
        },
        Key = new CacheKeyOptions
        {
            IgnoredQueryParameters = route.IgnoreQueryParameters,
            SortQueryParameters = route.SortQueryParameters,
            Headers = route.KeyHeaders,
            Cookies = route.KeyCookies,
        },
        OwnTargetedField = cache.TargetedField,
        TagHeader = string.IsNullOrEmpty(route.TagHeader) ? null : route.TagHeader,
        ExposeKey = route.ExposeKey,
    };
}
