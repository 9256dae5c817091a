using Gatehouse.Configuration;
using Gatehouse.Protection;

namespace Gatehouse.Lifecycle;

// Trusted proxies, access control, rate limits and security headers (docs/protection.md).
public static partial class ConfigValidator
{
    private static void ValidateProtection(List<ConfigError> errors, GatehouseConfig config)
    {
        Networks(errors, "trustedProxies", config.TrustedProxies);
        Names(errors, "clientIpHeaders", config.ClientIpHeaders, "a header name");
        Unknown(errors, "accessControl", config.AccessControl);
        Networks(errors, "accessControl.allow", config.AccessControl.Allow);
        Networks(errors, "accessControl.deny", config.AccessControl.Deny);
        ValidateSecurityHeaders(errors, "securityHeaders", config.SecurityHeaders);
        foreach (var (name, policy) in config.RateLimits)
        {
            ValidateRateLimit(errors, $"rateLimits.{name}", name, policy);
        }

        if (config.DefaultRateLimit is { } defaultPolicy && !config.RateLimits.ContainsKey(defaultPolicy))
        {
            errors.Add(new("defaultRateLimit", $"no policy named '{defaultPolicy}' in rateLimits"));
        }

        foreach (var (id, route) in config.Routes)
        {
            if (route is null)
            {
                continue;
            }

            var path = $"routes.{id}";
            ValidateRouteAccess(errors, $"{path}.accessControl", route.AccessControl);
            ValidateSecurityHeaders(errors, $"{path}.securityHeaders", route.SecurityHeaders);
            if (route.RateLimit is { } policy && policy != RateLimitAlgorithms.None && !config.RateLimits.ContainsKey(policy))
            {
                errors.Add(new($"{path}.rateLimit", $"no policy named '{policy}' in rateLimits"));
            }
        }
    }

    private static void ValidateRateLimit(List<ConfigError> errors, string path, string name, RateLimitDefinition policy)
    {
        if (policy is null)
        {
            errors.Add(new(path, "a rate limit policy must be an object"));
            return;
        }

        Unknown(errors, path, policy);
        // The name travels in the RateLimit headers as a structured-field string: printable ASCII only.
        if (name.Length == 0 || name.Any(c => c is < ' ' or > '~'))
        {
            errors.Add(new(path, "a policy name must be printable ASCII"));
        }
        else if (name == RateLimitAlgorithms.None)
        {
            errors.Add(new(path, "'none' is reserved: a route's \"rateLimit\": \"none\" turns the default policy off"));
        }

        if (policy.Algorithm is null)
        {
            errors.Add(new($"{path}.algorithm", $"required: one of {string.Join(", ", RateLimitAlgorithms.All)}"));
        }
        else if (!RateLimitAlgorithms.All.Contains(policy.Algorithm))
        {
            errors.Add(new($"{path}.algorithm", $"'{policy.Algorithm}' is not one of {string.Join(", ", RateLimitAlgorithms.All)}"));
        }

        if (!RateLimitKey.TryParse(policy.Key, out _))
        {
            errors.Add(new($"{path}.key", $"'{policy.Key}' is not ip, header:NAME, cookie:NAME or route:NAME"));
        }

        if (policy.PermitLimit is not { } permitLimit)
        {
            errors.Add(new($"{path}.permitLimit", "required: requests per window, the bucket size or the requests in flight"));
        }
        else
        {
            AtLeastOne(errors, $"{path}.permitLimit", permitLimit);
        }

        PositiveDuration(errors, $"{path}.window", policy.Window);
        AtLeastOne(errors, $"{path}.segmentsPerWindow", policy.SegmentsPerWindow);
        AtLeastOne(errors, $"{path}.tokensPerPeriod", policy.TokensPerPeriod);
        PositiveDuration(errors, $"{path}.replenishmentPeriod", policy.ReplenishmentPeriod);
        if (policy.QueueLimit < 0)
        {
            errors.Add(new($"{path}.queueLimit", "must not be negative"));
        }

        Networks(errors, $"{path}.exempt", policy.Exempt);
        if (policy.WhenClusterUnavailable is { } fallback && !RateLimitClusterFallbacks.All.Contains(fallback, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(new($"{path}.whenClusterUnavailable", $"'{fallback}' is not one of {string.Join(", ", RateLimitClusterFallbacks.All)}"));
        }
    }

    private static void ValidateRouteAccess(List<ConfigError> errors, string path, RouteAccessControlDefinition access)
    {
        Unknown(errors, path, access);
        Networks(errors, $"{path}.allow", access.Allow);
        Networks(errors, $"{path}.deny", access.Deny);
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
