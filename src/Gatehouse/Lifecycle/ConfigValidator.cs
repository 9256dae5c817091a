using System.Net;
using System.Text.Json;
using Gatehouse.Configuration;
using Gatehouse.LoadBalancing;

namespace Gatehouse.Lifecycle;

/// <summary>
/// Checks a whole config and returns every error with its path; it never stops at the first one.
/// A pure function over values: no I/O, no clock.
/// </summary>
public static partial class ConfigValidator
{
    private static readonly HashSet<string> HeaderMatchModes = new(StringComparer.OrdinalIgnoreCase)
    {
        "ExactHeader", "HeaderPrefix", "Contains", "NotContains", "Exists", "NotExists",
    };

    private static readonly HashSet<string> HttpVersions = ["1.0", "1.1", "2", "2.0", "3", "3.0"];

    public static IReadOnlyList<ConfigError> Validate(GatehouseConfig config) => Check(config).Errors;

    /// <summary>
    /// The one pass over a config: every error, and the typed objects each section was parsed into on the way
    /// (<see cref="ParsedConfig"/>). <see cref="GenerationCompiler"/> builds the generation from those objects, so a value
    /// is parsed once, by the check that reports it.
    /// </summary>
    public static ConfigCheck Check(GatehouseConfig config)
    {
        var errors = new ValidationErrors();
        var parsed = new ParsedConfig();
        Unknown(errors, "", config);

        if (config.Listeners.Count == 0)
        {
            errors.Add(new("listeners", "at least one listener is required"));
        }

        var bound = new List<(IPAddress Address, int Port)>();
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            ValidateListener(errors, $"listeners[{i}]", config.Listeners[i], bound);
        }

        DuplicateIds(errors, "routes", config.Routes.Keys);
        DuplicateIds(errors, "clusters", config.Clusters.Keys);
        var clusterIds = new HashSet<string>(config.Clusters.Keys, StringComparer.OrdinalIgnoreCase);
        foreach (var (id, route) in config.Routes)
        {
            ValidateRoute(errors, $"routes.{id}", route, clusterIds, config.Cache, (id, parsed));
        }

        foreach (var (id, cluster) in config.Clusters)
        {
            ValidateCluster(errors, $"clusters.{id}", cluster);
        }

        if (config.Forwarder is { } forwarder && !Forwarding.ForwarderModes.IsKnown(forwarder))
        {
            errors.Add(new("forwarder", $"'{forwarder}' is not one of {Forwarding.ForwarderModes.Lean}, {Forwarding.ForwarderModes.Yarp}"));
        }
        else if (config.Forwarder is null && Forwarding.ForwarderModes.FromEnvironment is { } fromEnvironment && !Forwarding.ForwarderModes.IsKnown(fromEnvironment))
        {
            errors.Add(new("forwarder", $"absent, and the environment's {Forwarding.ForwarderModes.EnvironmentVariable}='{fromEnvironment}' is not one of {Forwarding.ForwarderModes.Lean}, {Forwarding.ForwarderModes.Yarp}"));
        }

        ValidateAccessLog(errors, "accessLog", config.AccessLog);
        ValidateLog(errors, "log", config.Log);
        ValidateCache(errors, "cache", config.Cache);
        ValidateCompression(errors, config);
        ValidateFiles(errors, config);
        ValidateClusterMode(errors, "cluster", config.Cluster, config.Tls.Acme.Enabled);
        ValidateAdmin(errors, "admin", config.Admin, bound);
        ValidateTelemetry(errors, config.Metrics, config.Tracing);
        ValidateHideBackend(errors, "hideBackend", config.HideBackend);
        Unknown(errors, "server", config.Server);
        PositiveDuration(errors, "server.drainTimeout", config.Server.DrainTimeout, allowZero: true);
        parsed.Protection = ValidateProtection(errors, config);
        ValidateTls(errors, config);
        ValidateProxyProtocol(errors, config);
        ValidateProtectionLimits(errors, config);
        ValidateAmbiguousRoutes(errors, config.Routes);
        ValidateTrafficShaping(errors, config);
        ValidateFastCgi(errors, config);
        ValidateGrpc(errors, config);
        return new ConfigCheck(WithoutConsequencesOfMisspellings(errors), parsed);
    }

    /// <summary>
    /// A misspelled setting ("pathPrefx") leaves the one meant unset, and its section then fails a rule of its own
    /// ("a route must match on path, pathPrefix or hosts"): one mistake, two errors, the second misleading. Errors about
    /// the section itself or the setting suggested are dropped; the "did you mean" error says what to fix.
    /// </summary>
    private static List<ConfigError> WithoutConsequencesOfMisspellings(ValidationErrors errors)
    {
        if (errors.Misspellings.Count == 0)
        {
            return errors;
        }

        return errors.Where(e => e.Message.StartsWith(UnknownSetting, StringComparison.Ordinal) || !errors.Misspellings.Any(m =>
            (m.Section.Length > 0 && e.Path == m.Section) || e.Path == m.Suggested
            || e.Path.StartsWith(m.Suggested + ".", StringComparison.Ordinal) || e.Path.StartsWith(m.Suggested + "[", StringComparison.Ordinal))).ToList();
    }

    /// <summary>The error list of one validation, with the misspelled settings found on the way (section path, suggested setting path).</summary>
    private sealed class ValidationErrors : List<ConfigError>
    {
        public List<(string Section, string Suggested)> Misspellings { get; } = [];
    }

    private static void ValidateListener(List<ConfigError> errors, string path, ListenerDefinition listener, List<(IPAddress Address, int Port)> bound)
    {
        Unknown(errors, path, listener);
        if (listener is null)
        {
            errors.Add(new(path, "a listener must be an object"));
            return;
        }

        var isLocalhost = string.Equals(listener.Address, "localhost", StringComparison.OrdinalIgnoreCase);
        IPAddress? address = isLocalhost ? IPAddress.Loopback : IPAddress.TryParse(listener.Address, out var parsed) ? parsed : null;
        if (address is null)
        {
            errors.Add(new($"{path}.address", $"'{listener.Address}' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or ::)"));
        }

        if (listener.Port is not { } port)
        {
            errors.Add(new($"{path}.port", "required: the port to listen on"));
        }
        else if (port is < 0 or > 65535)
        {
            errors.Add(new($"{path}.port", $"{port} is not a port number (0 to 65535)"));
        }
        else if (port == 0 && isLocalhost)
        {
            errors.Add(new($"{path}.port", "localhost listens on both 127.0.0.1 and ::1, which cannot share a system-chosen port; give a port or use 127.0.0.1"));
        }
        else if (port != 0 && address is not null)
        {
            // The same port on the same address, or on any address when one side is the wildcard, cannot be bound twice.
            if (bound.Any(b => b.Port == port && (b.Address.Equals(address) || IsWildcard(b.Address) || IsWildcard(address))))
            {
                errors.Add(new($"{path}.port", $"{listener.Address}:{port} is already used by another listener"));
            }

            bound.Add((address, port));
            if (isLocalhost)
            {
                bound.Add((IPAddress.IPv6Loopback, port));
            }
        }
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static void ValidateRoute(List<ConfigError> errors, string path, RouteDefinition route, HashSet<string> clusters, CacheDefinition cache, (string Id, ParsedConfig Into) parsed)
    {
        if (route is null)
        {
            errors.Add(new(path, "a route must be an object"));
            return;
        }

        Unknown(errors, path, route);
        if (string.IsNullOrWhiteSpace(route.ClusterId))
        {
            if (route.Files is null)
            {
                errors.Add(new($"{path}.clusterId", "required: the cluster this route sends requests to (or give files)"));
            }
        }
        else if (!clusters.Contains(route.ClusterId))
        {
            errors.Add(new($"{path}.clusterId", $"no cluster named '{route.ClusterId}'"));
        }

        var match = route.Match;
        var matchPath = $"{path}.match";
        Unknown(errors, matchPath, match);
        if (match.Path is not null && match.PathPrefix is not null)
        {
            errors.Add(new(matchPath, "give either path or pathPrefix, not both"));
        }

        if (match.Path is null && match.PathPrefix is null && (match.Hosts is null || match.Hosts.Count == 0))
        {
            errors.Add(new(matchPath, "a route must match on path, pathPrefix or hosts"));
        }

        if (match.Path is { } template && !template.StartsWith('/'))
        {
            errors.Add(new($"{matchPath}.path", $"'{template}' must start with '/'"));
        }

        if (match.PathPrefix is { } prefix && (!prefix.StartsWith('/') || prefix.Contains('{', StringComparison.Ordinal) || prefix.Contains('}', StringComparison.Ordinal)))
        {
            errors.Add(new($"{matchPath}.pathPrefix", $"'{prefix}' must start with '/' and contain no '{{' or '}}' (use path for templates)"));
        }

        for (var i = 0; i < (match.Hosts?.Count ?? 0); i++)
        {
            var host = match.Hosts![i];
            if (string.IsNullOrWhiteSpace(host) || host.Contains('/', StringComparison.Ordinal) || host.Contains(' ', StringComparison.Ordinal))
            {
                errors.Add(new($"{matchPath}.hosts[{i}]", $"'{host}' is not a host name (such as example.com, *.example.com or example.com:8080)"));
            }
        }

        for (var i = 0; i < (match.Methods?.Count ?? 0); i++)
        {
            var method = match.Methods![i];
            if (!IsToken(method))
            {
                errors.Add(new($"{matchPath}.methods[{i}]", $"'{method}' is not an HTTP method"));
            }
        }

        for (var i = 0; i < (match.Headers?.Count ?? 0); i++)
        {
            var header = match.Headers![i];
            var headerPath = $"{matchPath}.headers[{i}]";
            if (header is null)
            {
                errors.Add(new(headerPath, "a header match must be an object"));
                continue;
            }

            Unknown(errors, headerPath, header);
            if (!IsToken(header.Name))
            {
                errors.Add(new($"{headerPath}.name", $"'{header.Name}' is not a header name"));
            }

            if (!HeaderMatchModes.Contains(header.Mode))
            {
                errors.Add(new($"{headerPath}.mode", $"'{header.Mode}' is not one of {string.Join(", ", HeaderMatchModes)}"));
            }
            else if (!header.Mode.Equals("Exists", StringComparison.OrdinalIgnoreCase) && !header.Mode.Equals("NotExists", StringComparison.OrdinalIgnoreCase)
                && (header.Values is null || header.Values.Count == 0))
            {
                errors.Add(new($"{headerPath}.values", $"mode {header.Mode} needs at least one value"));
            }
        }

        for (var i = 0; i < (route.Transforms?.Count ?? 0); i++)
        {
            if (route.Transforms![i] is null)
            {
                errors.Add(new($"{path}.transforms[{i}]", "a transform must be an object"));
            }
            else if (route.ForwardRawPath && route.Transforms[i].Keys.FirstOrDefault(k => k.StartsWith("Path", StringComparison.OrdinalIgnoreCase)) is { } pathTransform)
            {
                errors.Add(new($"{path}.transforms[{i}]", $"{pathTransform} changes the path, but forwardRawPath sends the client's path unchanged; use one or the other"));
            }
        }

        parsed.Into.RouteForwardings[parsed.Id] = Forwarding.RouteForwarding.Parse(route, path, errors);
        Unknown(errors, $"{path}.cache", route.Cache);
        parsed.Into.RouteCaches[parsed.Id] = RouteCaching.RouteCacheSettings.Parse(route.Cache, cache, $"{path}.cache", errors);
        ValidateRouteHideBackend(errors, $"{path}.hideBackend", route.HideBackend);
        Unknown(errors, $"{path}.retry", route.Retry);
    }

    private static void ValidateCluster(List<ConfigError> errors, string path, ClusterDefinition cluster)
    {
        if (cluster is null)
        {
            errors.Add(new(path, "a cluster must be an object"));
            return;
        }

        Unknown(errors, path, cluster);
        var policy = LoadBalancingPolicyNames.Canonical(cluster.LoadBalancingPolicy);
        if (policy is null)
        {
            errors.Add(new($"{path}.loadBalancingPolicy", $"'{cluster.LoadBalancingPolicy}' is not one of {string.Join(", ", LoadBalancingPolicyNames.All)}"));
        }

        if (!HashKey.TryParse(cluster.HashKey, out _))
        {
            errors.Add(new($"{path}.hashKey", $"'{cluster.HashKey}' is not ip, path, header:NAME or cookie:NAME"));
        }
        else if (cluster.HashKey is not null && policy != LoadBalancingPolicyNames.ConsistentHash)
        {
            errors.Add(new($"{path}.hashKey", "only used with loadBalancingPolicy ConsistentHash"));
        }

        Unknown(errors, $"{path}.sessionAffinity", cluster.SessionAffinity);
        if (cluster.SessionAffinity.Enabled && !IsToken(cluster.SessionAffinity.CookieName))
        {
            errors.Add(new($"{path}.sessionAffinity.cookieName", $"'{cluster.SessionAffinity.CookieName}' is not a cookie name"));
        }

        if (cluster.Destinations.Count == 0)
        {
            errors.Add(new($"{path}.destinations", "at least one destination is required"));
        }

        DuplicateIds(errors, $"{path}.destinations", cluster.Destinations.Keys);
        foreach (var (id, destination) in cluster.Destinations)
        {
            var destinationPath = $"{path}.destinations.{id}";
            if (destination is null)
            {
                errors.Add(new(destinationPath, "a destination must be an object"));
                continue;
            }

            Unknown(errors, destinationPath, destination);
            if (!IsHttpUri(destination.Address) && !IsFastCgiCluster(cluster) && !Forwarding.UpstreamHttpVersion.IsH2c(destination.Address))
            {
                errors.Add(new($"{destinationPath}.address", destination.Address is null ? "required: an absolute http(s) URI" : NotAnHttpUri(destination.Address)));
            }

            if (destination.Health is not null && !IsHttpUri(destination.Health) && !Forwarding.UpstreamHttpVersion.IsH2c(destination.Health))
            {
                errors.Add(new($"{destinationPath}.health", $"'{destination.Health}' is not an absolute http(s) URI"));
            }

            if (destination.Weight is < 1 or > 10_000)
            {
                errors.Add(new($"{destinationPath}.weight", $"{destination.Weight} is out of range (1 to 10000)"));
            }
        }

        ValidateHealth(errors, $"{path}.healthCheck", cluster.HealthCheck);
        ValidateRetry(errors, $"{path}.retry", cluster.Retry);
        ValidateClusterOverload(errors, path, cluster);

        var client = cluster.HttpClient;
        Unknown(errors, $"{path}.httpClient", client);
        PositiveDuration(errors, $"{path}.httpClient.connectTimeout", client.ConnectTimeout);
        PositiveDuration(errors, $"{path}.httpClient.pooledConnectionIdleTimeout", client.PooledConnectionIdleTimeout);
        if (client.MaxConnectionsPerServer is < 1)
        {
            errors.Add(new($"{path}.httpClient.maxConnectionsPerServer", "must be at least 1"));
        }

        Unknown(errors, $"{path}.httpRequest", cluster.HttpRequest);
        PositiveDuration(errors, $"{path}.httpRequest.activityTimeout", cluster.HttpRequest.ActivityTimeout);
        if (!HttpVersions.Contains(cluster.HttpRequest.Version))
        {
            errors.Add(new($"{path}.httpRequest.version", $"'{cluster.HttpRequest.Version}' is not one of 1.0, 1.1, 2, 3"));
        }
    }

    private static void ValidateHealth(List<ConfigError> errors, string path, HealthCheckDefinition health)
    {
        Unknown(errors, path, health);
        if (health.WhenAllUnhealthy is not (AllUnhealthyModes.Panic or AllUnhealthyModes.Fail))
        {
            errors.Add(new($"{path}.whenAllUnhealthy", $"'{health.WhenAllUnhealthy}' is not panic or fail"));
        }

        var active = health.Active;
        Unknown(errors, $"{path}.active", active);
        PositiveDuration(errors, $"{path}.active.interval", active.Interval);
        PositiveDuration(errors, $"{path}.active.timeout", active.Timeout);
        if (string.IsNullOrEmpty(active.Path) || !active.Path.StartsWith('/'))
        {
            errors.Add(new($"{path}.active.path", $"'{active.Path}' must start with '/'"));
        }

        AtLeastOne(errors, $"{path}.active.healthyThreshold", active.HealthyThreshold);
        AtLeastOne(errors, $"{path}.active.unhealthyThreshold", active.UnhealthyThreshold);

        var passive = health.Passive;
        Unknown(errors, $"{path}.passive", passive);
        AtLeastOne(errors, $"{path}.passive.consecutiveFailures", passive.ConsecutiveFailures);
        PositiveDuration(errors, $"{path}.passive.reactivationPeriod", passive.ReactivationPeriod);
    }

    private static void ValidateRetry(List<ConfigError> errors, string path, ClusterRetryDefinition retry)
    {
        Unknown(errors, path, retry);
        if (retry.MaxAttempts is < 1 or > 10)
        {
            errors.Add(new($"{path}.maxAttempts", $"{retry.MaxAttempts} is out of range (1 to 10)"));
        }

        for (var i = 0; i < retry.Statuses.Count; i++)
        {
            if (retry.Statuses[i] is < 100 or > 599)
            {
                errors.Add(new($"{path}.statuses[{i}]", $"{retry.Statuses[i]} is not an HTTP status"));
            }
        }

        var budget = retry.Budget;
        Unknown(errors, $"{path}.budget", budget);
        if (budget.Percent is < 0 or > 100 || double.IsNaN(budget.Percent))
        {
            errors.Add(new($"{path}.budget.percent", $"{budget.Percent} is out of range (0 to 100)"));
        }

        if (budget.MinRetriesPerSecond < 0)
        {
            errors.Add(new($"{path}.budget.minRetriesPerSecond", "must not be negative"));
        }

        PositiveDuration(errors, $"{path}.budget.window", budget.Window);
    }

    private static void ValidateCache(List<ConfigError> errors, string path, CacheDefinition cache)
    {
        Unknown(errors, path, cache);
        PositiveSize(errors, $"{path}.maxBytes", cache.MaxBytes);
        PositiveSize(errors, $"{path}.maxEntryBytes", cache.MaxEntryBytes);
        PositiveSize(errors, $"{path}.diskMaxBytes", cache.DiskMaxBytes);
        if (cache.MaxBytes.Value is { } max && cache.MaxEntryBytes.Value is { } entry && entry > max)
        {
            errors.Add(new($"{path}.maxEntryBytes", $"{cache.MaxEntryBytes} is more than maxBytes ({cache.MaxBytes})"));
        }

        if (cache.DiskPath is { } disk && (string.IsNullOrWhiteSpace(disk) || disk.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            errors.Add(new($"{path}.diskPath", $"'{disk}' is not a directory path"));
        }

        if (!IsToken(cache.TargetedField))
        {
            errors.Add(new($"{path}.targetedField", $"'{cache.TargetedField}' is not a header name"));
        }

        PositiveDuration(errors, $"{path}.collapseTimeout", cache.CollapseTimeout);
    }

    private static void ValidateAdmin(List<ConfigError> errors, string path, AdminDefinition admin, List<(IPAddress Address, int Port)> bound)
    {
        Unknown(errors, path, admin);
        if (admin.Port is not { } port)
        {
            return;
        }

        if (!IPAddress.TryParse(admin.Address, out var address))
        {
            errors.Add(new($"{path}.address", $"'{admin.Address}' is not an IP address"));
        }
        else if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(admin.Token))
        {
            errors.Add(new($"{path}.token", $"required when the admin API listens on {admin.Address}, which is not loopback"));
        }

        if (port is < 0 or > 65535)
        {
            errors.Add(new($"{path}.port", $"{port} is not a port number (0 to 65535)"));
        }
        else if (port != 0 && address is not null && bound.Any(b => b.Port == port && (b.Address.Equals(address) || IsWildcard(b.Address) || IsWildcard(address))))
        {
            errors.Add(new($"{path}.port", $"{admin.Address}:{port} is already used by a listener"));
        }
    }

    private static void Names(List<ConfigError> errors, string path, IReadOnlyList<string> names, string what) => SettingRules.Names(errors, path, names, what);

    private static void PositiveSize(List<ConfigError> errors, string path, ByteSize size)
    {
        if (size.Value is not { } value)
        {
            errors.Add(new(path, $"'{size.Raw}' is not a size (such as 1048576, 512KB, 256MB or 1GB)"));
        }
        else if (value <= 0)
        {
            errors.Add(new(path, $"'{size.Raw}' must be more than zero"));
        }
    }

    private static void ValidateAccessLog(List<ConfigError> errors, string path, AccessLogDefinition log)
    {
        Unknown(errors, path, log);
        if (log.Format is not (AccessLogFormats.Combined or AccessLogFormats.Json))
        {
            errors.Add(new($"{path}.format", $"'{log.Format}' is not combined or json"));
        }

        if (string.IsNullOrWhiteSpace(log.Path))
        {
            errors.Add(new($"{path}.path", "must be stdout or a file path"));
        }

        PositiveDuration(errors, $"{path}.flushInterval", log.FlushInterval, allowZero: true);
    }

    /// <summary>Ids are matched without regard to case (as YARP does), so two that differ only in case are one id twice.</summary>
    private static void DuplicateIds(List<ConfigError> errors, string path, IEnumerable<string> ids)
    {
        foreach (var group in ids.GroupBy(id => id, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add(new($"{path}.{group.Last()}", $"the same id as {string.Join(", ", group.SkipLast(1).Select(id => $"'{id}'"))} (ids ignore case)"));
        }
    }

    private static void PositiveDuration(List<ConfigError> errors, string path, Duration duration, bool allowZero = false) =>
        SettingRules.PositiveDuration(errors, path, duration, allowZero);

    private static void AtLeastOne(List<ConfigError> errors, string path, int value) => SettingRules.AtLeastOne(errors, path, value);

    private const string UnknownSetting = "unknown setting";

    private static void Unknown(List<ConfigError> errors, string path, ConfigSection? section)
    {
        if (section?.UnknownProperties is not { Count: > 0 } unknown)
        {
            return;
        }

        var known = SettingNameSuggestions.KnownNames(section.GetType());
        foreach (var name in unknown.Keys)
        {
            if (SettingNameSuggestions.Closest(name, known) is not { } suggestion)
            {
                errors.Add(new(Join(path, name), UnknownSetting));
                continue;
            }

            errors.Add(new(Join(path, name), $"{UnknownSetting}; did you mean '{suggestion}'?"));
            (errors as ValidationErrors)?.Misspellings.Add((path, Join(path, suggestion)));
        }

        static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
    }

    /// <summary>The message for an address that is not an http(s) URI; a bare <c>host:port</c> gets the URI it likely meant.</summary>
    private static string NotAnHttpUri(string address) =>
        address.Contains("://", StringComparison.Ordinal) || address.Length == 0 || !char.IsAsciiLetterOrDigit(address[0])
            ? $"'{address}' is not an absolute http(s) URI"
            : $"'{address}' is not an absolute http(s) URI (such as http://{address})";

    private static bool IsHttpUri(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host);

    // RFC 9110 §5.6.2 tchar.
    /// <summary>An RFC 9110 token (a field name, a method): the same rule the edge applies to requests.</summary>
    private static bool IsToken(string? text) => SettingRules.IsToken(text);
}
