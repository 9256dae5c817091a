using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.Protection;

/// <summary>
/// The protection part of a validated config, resolved once per reload so that the request path only does look-ups.
/// Pure: built from the config alone. Rate limiter state lives in <see cref="RateLimiterRegistry"/>, not here.
/// </summary>
public sealed class ProtectionSettings
{
    private ProtectionSettings(IpNetworkList trustedProxies, EdgeHeaderRules edgeHeaders, RouteProtection unmatched, FrozenDictionary<string, RouteProtection> routes, FrozenDictionary<string, RateLimitPolicy> rateLimits)
    {
        TrustedProxies = trustedProxies;
        EdgeHeaders = edgeHeaders;
        Unmatched = unmatched;
        Routes = routes;
        RateLimits = rateLimits;
    }

    public static ProtectionSettings Empty { get; } = From(new GatehouseConfig(), ParsedProtection.Empty);

    public IpNetworkList TrustedProxies { get; }

    /// <summary>Request header names dropped or refused at the edge (underscores, client-address claims).</summary>
    public EdgeHeaderRules EdgeHeaders { get; }

    /// <summary>What applies to requests no route matched: the global IP lists.</summary>
    public RouteProtection Unmatched { get; }

    public FrozenDictionary<string, RouteProtection> Routes { get; }

    public FrozenDictionary<string, RateLimitPolicy> RateLimits { get; }

    /// <summary>The protection of <paramref name="routeId"/>; null for a route this generation does not have (never the global settings).</summary>
    public RouteProtection? ForRoute(string routeId) => Routes.TryGetValue(routeId, out var route) ? route : null;

    /// <summary>The settings of <paramref name="config"/>, its IP lists and policies taken as the validator parsed them.</summary>
    public static ProtectionSettings From(GatehouseConfig config, ParsedProtection parsed)
    {
        var globalAllow = parsed.Allow;
        var globalDeny = parsed.Deny;
        var rateLimits = parsed.RateLimits.ToFrozenDictionary(StringComparer.Ordinal);
        var globalHeaders = SecurityHeaderRules.Defaults.Over(config.SecurityHeaders);
        return new ProtectionSettings(
            parsed.TrustedProxies,
            EdgeHeaderRules.From(config),
            new RouteProtection { GlobalAllow = globalAllow, GlobalDeny = globalDeny, Headers = globalHeaders },
            config.Routes.ToFrozenDictionary(
                r => r.Key,
                r => RouteProtection.From(r.Value, parsed.Routes.GetValueOrDefault(r.Key) ?? RouteIpLists.Empty, globalAllow, globalDeny, globalHeaders, rateLimits, config.DefaultRateLimit),
                StringComparer.OrdinalIgnoreCase),
            rateLimits);
    }
}

/// <summary>Everything checked for one route, in the order it is checked.</summary>
public sealed record RouteProtection
{
    public IpNetworkList GlobalAllow { get; init; } = IpNetworkList.Empty;

    public IpNetworkList GlobalDeny { get; init; } = IpNetworkList.Empty;

    public IpNetworkList Allow { get; init; } = IpNetworkList.Empty;

    public IpNetworkList Deny { get; init; } = IpNetworkList.Empty;

    /// <summary>Null when any method is accepted.</summary>
    public FrozenSet<string>? Methods { get; init; }

    /// <summary>The Allow header value of a 405.</summary>
    public string AllowHeader { get; init; } = "";

    public RateLimitPolicy? RateLimit { get; init; }

    public BasicAuthSettings? BasicAuth { get; init; }

    public ForwardAuthSettings? ForwardAuth { get; init; }

    public SecurityHeaderRules Headers { get; init; } = SecurityHeaderRules.Defaults;

    /// <summary>False when nothing is to be checked before forwarding: the request path then only does this one test.</summary>
    public bool HasRequestChecks =>
        !GlobalAllow.IsEmpty || !GlobalDeny.IsEmpty || !Allow.IsEmpty || !Deny.IsEmpty || Methods is not null || RateLimit is not null || BasicAuth is not null || ForwardAuth is not null;

    public bool HasIpLists => !GlobalAllow.IsEmpty || !GlobalDeny.IsEmpty || !Allow.IsEmpty || !Deny.IsEmpty;

    internal static RouteProtection From(RouteDefinition route, RouteIpLists lists, IpNetworkList globalAllow, IpNetworkList globalDeny, SecurityHeaderRules globalHeaders, FrozenDictionary<string, RateLimitPolicy> rateLimits, string? defaultRateLimit)
    {
        var access = route.AccessControl;
        var methods = AccessDecisions.AcceptedMethods(access.Methods);
        return new RouteProtection
        {
            GlobalAllow = globalAllow,
            GlobalDeny = globalDeny,
            Allow = lists.Allow,
            Deny = lists.Deny,
            Methods = methods,
            AllowHeader = methods is null ? "" : string.Join(", ", methods.Order(StringComparer.Ordinal)),
            RateLimit = (route.RateLimit ?? defaultRateLimit) is { } name && rateLimits.TryGetValue(name, out var policy) ? policy : null,
            BasicAuth = access.BasicAuth is { } basic ? BasicAuthSettings.From(basic) : null,
            ForwardAuth = access.ForwardAuth is { } forward ? ForwardAuthSettings.From(forward) : null,
            Headers = globalHeaders.Over(route.SecurityHeaders),
        };
    }
}

public sealed record BasicAuthSettings(string Realm, FrozenDictionary<string, string> Users, bool ForwardAuthorization, string Challenge, PasswordHash.Parsed UnknownUserHash)
{
    public static BasicAuthSettings From(BasicAuthDefinition basic) => new(
        basic.Realm,
        basic.Users.ToFrozenDictionary(StringComparer.Ordinal),
        basic.ForwardAuthorization,
        $"Basic realm={RateLimitHeaders.Quote(basic.Realm)}, charset=\"UTF-8\"",
        UnknownUser(basic.Users.Values));

    /// <summary>A hash no password matches, costing as many iterations as the route's slowest real one.</summary>
    private static PasswordHash.Parsed UnknownUser(IEnumerable<string> hashes)
    {
        var iterations = hashes.Select(h => PasswordHash.TryParse(h, out var parsed, out _) ? parsed.Iterations : 0).DefaultIfEmpty(0).Max();
        return new PasswordHash.Parsed(Math.Max(iterations, PasswordHash.MinIterations), System.Security.Cryptography.RandomNumberGenerator.GetBytes(16), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    }
}

public sealed record ForwardAuthSettings(Uri Address, TimeSpan Timeout, IReadOnlyList<string> RequestHeaders, IReadOnlyList<string> ResponseHeaders)
{
    public static ForwardAuthSettings From(ForwardAuthDefinition forward) => new(
        new Uri(forward.Address!, UriKind.Absolute),
        forward.Timeout.Value ?? TimeSpan.FromSeconds(5),
        forward.RequestHeaders,
        forward.ResponseHeaders);
}

/// <summary>Pure access decisions.</summary>
public static class AccessDecisions
{
    /// <summary>Deny wins; a non-empty allow list admits only its members.</summary>
    public static bool IsAllowed(System.Net.IPAddress? client, IpNetworkList allow, IpNetworkList deny)
    {
        if (deny.Contains(client))
        {
            return false;
        }

        return allow.IsEmpty || allow.Contains(client);
    }

    public static bool IsAllowed(System.Net.IPAddress? client, RouteProtection route) =>
        IsAllowed(client, route.GlobalAllow, route.GlobalDeny) && IsAllowed(client, route.Allow, route.Deny);

    /// <summary>The methods a route accepts, upper-cased (methods are case-sensitive, RFC 9110 §9.1); GET brings HEAD along, as in nginx's limit_except. Null: any.</summary>
    public static FrozenSet<string>? AcceptedMethods(IReadOnlyList<string>? methods)
    {
        if (methods is null || methods.Count == 0)
        {
            return null;
        }

        var set = new HashSet<string>(methods.Select(m => m.ToUpperInvariant()), StringComparer.Ordinal);
        if (set.Contains("GET"))
        {
            set.Add("HEAD");
        }

        return set.ToFrozenSet(StringComparer.Ordinal);
    }
}
