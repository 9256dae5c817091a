using Gatehouse.Configuration;
using Gatehouse.Protection;

namespace Gatehouse.Lifecycle;

// Trusted proxies, access control, rate limits and security headers (docs/protection.md).
public static partial class ConfigValidator
{
    /// <summary>Checks protection's sections; its IP lists and policies come back parsed, for the generation to use as they are.</summary>
    private static ParsedProtection ValidateProtection(List<ConfigError> errors, GatehouseConfig config)
    {
        var trustedProxies = IpNetworkList.Parse(config.TrustedProxies, "trustedProxies", errors);
        Names(errors, "clientIpHeaders", config.ClientIpHeaders, "a header name");
        Unknown(errors, "accessControl", config.AccessControl);
        var allow = IpNetworkList.Parse(config.AccessControl.Allow, "accessControl.allow", errors);
        var deny = IpNetworkList.Parse(config.AccessControl.Deny, "accessControl.deny", errors);
        ValidateSecurityHeaders(errors, "securityHeaders", config.SecurityHeaders);
        var policies = new Dictionary<string, RateLimitPolicy>(StringComparer.Ordinal);
        foreach (var (name, policy) in config.RateLimits)
        {
            if (ValidateRateLimit(errors, $"rateLimits.{name}", name, policy) is { } parsed)
            {
                policies[name] = parsed;
            }
        }

        if (config.DefaultRateLimit is { } defaultPolicy && !config.RateLimits.ContainsKey(defaultPolicy))
        {
            errors.Add(new("defaultRateLimit", $"no policy named '{defaultPolicy}' in rateLimits"));
        }

        var routeLists = new Dictionary<string, RouteIpLists>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, route) in config.Routes)
        {
            if (route is null)
            {
                continue;
            }

            var path = $"routes.{id}";
            routeLists[id] = ValidateRouteAccess(errors, $"{path}.accessControl", route.AccessControl);
            ValidateSecurityHeaders(errors, $"{path}.securityHeaders", route.SecurityHeaders);
            if (route.RateLimit is { } policy && policy != RateLimitAlgorithms.None && !config.RateLimits.ContainsKey(policy))
            {
                errors.Add(new($"{path}.rateLimit", $"no policy named '{policy}' in rateLimits"));
            }
        }

        return new ParsedProtection(trustedProxies, allow, deny, policies, routeLists);
    }

    private static RateLimitPolicy? ValidateRateLimit(List<ConfigError> errors, string path, string name, RateLimitDefinition policy)
    {
        if (policy is null)
        {
            errors.Add(new(path, "a rate limit policy must be an object"));
            return null;
        }

        Unknown(errors, path, policy);
        return RateLimitPolicy.Parse(name, policy, path, errors);
    }

    private static RouteIpLists ValidateRouteAccess(List<ConfigError> errors, string path, RouteAccessControlDefinition access)
    {
        Unknown(errors, path, access);
        var lists = new RouteIpLists(IpNetworkList.Parse(access.Allow, $"{path}.allow", errors), IpNetworkList.Parse(access.Deny, $"{path}.deny", errors));
        Names(errors, $"{path}.methods", access.Methods, "an HTTP method");
        if (access.BasicAuth is { } basic)
        {
            var basicPath = $"{path}.basicAuth";
            Unknown(errors, basicPath, basic);
            if (string.IsNullOrEmpty(basic.Realm) || basic.Realm.Any(char.IsControl))
            {
                errors.Add(new($"{basicPath}.realm", "must be non-empty text without control characters"));
            }

            if (basic.Users.Count == 0)
            {
                errors.Add(new($"{basicPath}.users", "at least one user is required"));
            }

            foreach (var (user, hash) in basic.Users)
            {
                // RFC 7617 §2: the user-id cannot contain a colon.
                if (user.Length == 0 || user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsControl))
                {
                    errors.Add(new($"{basicPath}.users.{user}", "a user name must be non-empty, without ':' or control characters"));
                }

                if (!PasswordHash.TryParse(hash, out _, out var problem))
                {
                    errors.Add(new($"{basicPath}.users.{user}", problem!));
                }
            }
        }

        if (access.ForwardAuth is { } forward)
        {
            var forwardPath = $"{path}.forwardAuth";
            Unknown(errors, forwardPath, forward);
            if (!IsHttpUri(forward.Address))
            {
                errors.Add(new($"{forwardPath}.address", forward.Address is null ? "required: an absolute http(s) URI" : $"'{forward.Address}' is not an absolute http(s) URI"));
            }

            PositiveDuration(errors, $"{forwardPath}.timeout", forward.Timeout);
            Names(errors, $"{forwardPath}.requestHeaders", forward.RequestHeaders, "a header name");
            Names(errors, $"{forwardPath}.responseHeaders", forward.ResponseHeaders, "a header name");
        }

        return lists;
    }

    private static void ValidateSecurityHeaders(List<ConfigError> errors, string path, SecurityHeadersDefinition headers)
    {
        Unknown(errors, path, headers);
        foreach (var (name, value) in headers.Set)
        {
            if (!IsToken(name))
            {
                errors.Add(new($"{path}.set.{name}", $"'{name}' is not a header name"));
            }
            else if (value is null || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                errors.Add(new($"{path}.set.{name}", "a header value must be a string without CR, LF or NUL (empty turns the header off)"));
            }
        }

        Names(errors, $"{path}.remove", headers.Remove, "a header name");
    }

    private static void Networks(List<ConfigError> errors, string path, IReadOnlyList<string> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!IpNetworkList.TryParse(entries[i], out _, out var problem))
            {
                errors.Add(new($"{path}[{i}]", problem!));
            }
        }
    }
}
