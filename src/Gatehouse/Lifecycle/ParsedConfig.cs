using Gatehouse.Caching.Middleware;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Protection;

namespace Gatehouse.Lifecycle;

/// <summary>
/// The typed objects one <see cref="ConfigValidator.Check"/> parsed a config's sections into, each feature's own
/// (IP lists, rate-limit policies, route cache and forwarding settings; docs/architecture.md, "The config lifecycle"). The check reports what
/// did not parse; <see cref="GenerationCompiler"/> builds the generation from these objects instead of parsing again.
/// </summary>
public sealed class ParsedConfig
{
    public ParsedProtection Protection { get; internal set; } = ParsedProtection.Empty;

    /// <summary>Each route's timeout and retry settings, by route id (ids ignore case).</summary>
    public Dictionary<string, RouteForwarding> RouteForwardings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Each cluster's <c>httpClient.tls</c> files, loaded by the file check (<see cref="ConfigChecker"/>), by cluster id.</summary>
    public Dictionary<string, Gatehouse.Tls.UpstreamTlsFiles> UpstreamTls { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Each route's cache settings, by route id; null for a route that is not cached.</summary>
    public Dictionary<string, HttpCacheRouteSettings?> RouteCaches { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The outcome of one check: every error, and what was parsed (meaningful only when there is no error).</summary>
public sealed record ConfigCheck(IReadOnlyList<ConfigError> Errors, ParsedConfig Parsed);

/// <summary>
/// The start-up config with what its check parsed (the CLI checks the file before the server exists): the initial
/// generation is compiled from it instead of checking the config a second time.
/// </summary>
public sealed record CheckedConfig(GatehouseConfig Config, ParsedConfig Parsed);
