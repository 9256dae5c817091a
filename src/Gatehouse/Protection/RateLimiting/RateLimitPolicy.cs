using System.Globalization;
using System.Threading.RateLimiting;
using Gatehouse.Configuration;

namespace Gatehouse.Protection;

public enum RateLimitKeyKind
{
    ClientIp,
    Header,
    Cookie,
    RouteValue,
}

/// <summary>What identifies a client for a policy: <c>ip</c>, <c>header:NAME</c>, <c>cookie:NAME</c> or <c>route:NAME</c>.</summary>
public readonly record struct RateLimitKey(RateLimitKeyKind Kind, string Name)
{
    public static bool TryParse(string? text, out RateLimitKey key)
    {
        key = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.Equals("ip", StringComparison.OrdinalIgnoreCase))
        {
            key = new(RateLimitKeyKind.ClientIp, "");
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1 || text.AsSpan(colon + 1).Trim().Length != text.Length - colon - 1)
        {
            return false;
        }

        RateLimitKeyKind? kind = text[..colon].ToLowerInvariant() switch
        {
            "header" => RateLimitKeyKind.Header,
            "cookie" => RateLimitKeyKind.Cookie,
            "route" => RateLimitKeyKind.RouteValue,
            _ => null,
        };
        if (kind is null)
        {
            return false;
        }

        key = new(kind.Value, text[(colon + 1)..]);
        return true;
    }

    /// <summary>
    /// The partition of a request. A request without the header, cookie or route value falls back to its client IP, so
    /// leaving the key out never escapes the limit nor lumps every such client together.
    /// </summary>
    public RateLimitPartitionKey PartitionOf(HttpContext context)
    {
        string? value = Kind switch
        {
            RateLimitKeyKind.Header => context.Request.Headers[Name].ToString(),
            RateLimitKeyKind.Cookie => context.Request.Cookies[Name],
            RateLimitKeyKind.RouteValue => context.Request.RouteValues[Name]?.ToString(),
            _ => null,
        };
        return string.IsNullOrEmpty(value)
            ? new RateLimitPartitionKey(true, context.Connection.RemoteIpAddress?.ToString() ?? "")
            : new RateLimitPartitionKey(false, value);
    }
}

/// <summary>A partition: a client IP, or a key value (kept apart so that a header value can never share an IP's budget).</summary>
public readonly record struct RateLimitPartitionKey(bool IsClientIp, string Value);

/// <summary>One named policy of the top-level <c>rateLimits</c>, resolved.</summary>
public sealed record RateLimitPolicy(
    string Name,
    string Algorithm,
    RateLimitKey Key,
    int PermitLimit,
    TimeSpan Window,
    int SegmentsPerWindow,
    int TokensPerPeriod,
    TimeSpan ReplenishmentPeriod,
    int QueueLimit,
    IpNetworkList Exempt,
    string ExemptText)
{
    /// <summary>
    /// The one parse of <c>rateLimits.NAME</c>: the policy, with an error for each setting that is wrong, at its path under
    /// <paramref name="path"/>. The validator reports the errors and the compiled generation keeps the policy (a setting
    /// that was reported has its default here, and the config is rejected anyway). Unknown settings are the validator's.
    /// </summary>
    public static RateLimitPolicy Parse(string name, RateLimitDefinition definition, string path, ICollection<ConfigError> errors)
    {
        // The name travels in the RateLimit headers as a structured-field string: printable ASCII only.
        if (name.Length == 0 || name.Any(c => c is < ' ' or > '~'))
        {
            errors.Add(new(path, "a policy name must be printable ASCII"));
        }
        else if (name == RateLimitAlgorithms.None)
        {
            errors.Add(new(path, "'none' is reserved: a route's \"rateLimit\": \"none\" turns the default policy off"));
        }

        var algorithm = RateLimitAlgorithms.All.FirstOrDefault(a => a.Equals(definition.Algorithm, StringComparison.OrdinalIgnoreCase));
        if (definition.Algorithm is null)
        {
            errors.Add(new($"{path}.algorithm", $"required: one of {string.Join(", ", RateLimitAlgorithms.All)}"));
        }
        else if (!RateLimitAlgorithms.All.Contains(definition.Algorithm))
        {
            errors.Add(new($"{path}.algorithm", $"'{definition.Algorithm}' is not one of {string.Join(", ", RateLimitAlgorithms.All)}"));
        }

        if (!RateLimitKey.TryParse(definition.Key, out var key))
        {
            errors.Add(new($"{path}.key", $"'{definition.Key}' is not ip, header:NAME, cookie:NAME or route:NAME"));
            key = new RateLimitKey(RateLimitKeyKind.ClientIp, "");
        }

        if (definition.PermitLimit is not { } permitLimit)
        {
            errors.Add(new($"{path}.permitLimit", "required: requests per window, the bucket size or the requests in flight"));
        }
        else
        {
            SettingRules.AtLeastOne(errors, $"{path}.permitLimit", permitLimit);
        }

        SettingRules.PositiveDuration(errors, $"{path}.window", definition.Window);
        SettingRules.AtLeastOne(errors, $"{path}.segmentsPerWindow", definition.SegmentsPerWindow);
        SettingRules.AtLeastOne(errors, $"{path}.tokensPerPeriod", definition.TokensPerPeriod);
        SettingRules.PositiveDuration(errors, $"{path}.replenishmentPeriod", definition.ReplenishmentPeriod);
        if (definition.QueueLimit < 0)
        {
            errors.Add(new($"{path}.queueLimit", "must not be negative"));
        }

        var exempt = IpNetworkList.Parse(definition.Exempt, $"{path}.exempt", errors);
        if (definition.WhenClusterUnavailable is { } fallback && !RateLimitClusterFallbacks.All.Contains(fallback, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(new($"{path}.whenClusterUnavailable", $"'{fallback}' is not one of {string.Join(", ", RateLimitClusterFallbacks.All)}"));
        }

        return new(
            name,
            algorithm ?? RateLimitAlgorithms.FixedWindow,
            key,
            definition.PermitLimit ?? 1,
            definition.Window.Value ?? TimeSpan.FromMinutes(1),
            definition.SegmentsPerWindow,
            definition.TokensPerPeriod,
            definition.ReplenishmentPeriod.Value ?? TimeSpan.FromSeconds(1),
            definition.QueueLimit,
            exempt,
            string.Join(",", definition.Exempt))
        {
            RefuseWhenClusterUnavailable = string.Equals(definition.WhenClusterUnavailable, RateLimitClusterFallbacks.Refuse, StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>A policy from a definition known to be valid (tests); what <see cref="Parse"/> would report is dropped.</summary>
    public static RateLimitPolicy From(string name, RateLimitDefinition definition) => Parse(name, definition, $"rateLimits.{name}", new List<ConfigError>());

    /// <summary>In cluster mode, while Redis cannot be reached: refuse (429) instead of counting on this node alone.</summary>
    public bool RefuseWhenClusterUnavailable { get; init; }

    /// <summary>Whether two policies limit the same way; a reload keeps the counters of a policy only while this holds.</summary>
    public bool SameLimits(RateLimitPolicy other) =>
        Name == other.Name && Algorithm == other.Algorithm && Key == other.Key && PermitLimit == other.PermitLimit && Window == other.Window
        && SegmentsPerWindow == other.SegmentsPerWindow && TokensPerPeriod == other.TokensPerPeriod && ReplenishmentPeriod == other.ReplenishmentPeriod
        && QueueLimit == other.QueueLimit && ExemptText == other.ExemptText && RefuseWhenClusterUnavailable == other.RefuseWhenClusterUnavailable;

    /// <summary>
    /// <c>RateLimit-Policy</c> as in draft-ietf-httpapi-ratelimit-headers-11 (structured fields):
    /// <c>"name";q=100;w=60</c>, or <c>"name";q=10;qu="concurrent-requests"</c> for concurrency.
    /// </summary>
    public string PolicyHeader { get; } = FormatPolicy(name: Name, Algorithm, PermitLimit, ReplenishmentPeriod, TokensPerPeriod, Window);

    private static string FormatPolicy(string name, string algorithm, int permitLimit, TimeSpan period, int tokensPerPeriod, TimeSpan window)
    {
        var quoted = RateLimitHeaders.Quote(name);
        if (algorithm == RateLimitAlgorithms.Concurrency)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{quoted};q={permitLimit};qu=\"concurrent-requests\"");
        }

        var seconds = algorithm == RateLimitAlgorithms.TokenBucket
            ? Math.Max(1, (int)Math.Ceiling(period.TotalSeconds * Math.Ceiling((double)permitLimit / Math.Max(1, tokensPerPeriod))))
            : Math.Max(1, (int)Math.Ceiling(window.TotalSeconds));
        return string.Create(CultureInfo.InvariantCulture, $"{quoted};q={permitLimit};w={seconds}");
    }

    /// <summary>The limiter for one partition: the framework's own algorithms (System.Threading.RateLimiting).</summary>
    public RateLimitPartition<RateLimitPartitionKey> Partition(RateLimitPartitionKey key) => Algorithm switch
    {
        RateLimitAlgorithms.TokenBucket => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = PermitLimit,
            TokensPerPeriod = TokensPerPeriod,
            ReplenishmentPeriod = ReplenishmentPeriod,
            QueueLimit = QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }),
        RateLimitAlgorithms.SlidingWindow => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = PermitLimit,
            Window = Window,
            SegmentsPerWindow = SegmentsPerWindow,
            QueueLimit = QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }),
        RateLimitAlgorithms.Concurrency => RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = PermitLimit,
            QueueLimit = QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }),
        _ => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PermitLimit,
            Window = Window,
            QueueLimit = QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }),
    };
}

/// <summary>The RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11) and Retry-After.</summary>
public static class RateLimitHeaders
{
    /// <summary>An sf-string (RFC 8941 §3.3.3): quoted, with \ and " escaped. Policy names are validated to be printable ASCII.</summary>
    public static string Quote(string name) =>
        "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary><c>"name";r=42</c>, plus <c>;t=13</c> when the time to more quota is known.</summary>
    public static string Format(RateLimitPolicy policy, long remaining, TimeSpan? reset) => reset is { } t
        ? string.Create(CultureInfo.InvariantCulture, $"{Quote(policy.Name)};r={Math.Max(0, remaining)};t={RetryAfterSeconds(t)}")
        : string.Create(CultureInfo.InvariantCulture, $"{Quote(policy.Name)};r={Math.Max(0, remaining)}");

    /// <summary>Whole seconds, rounded up, at least 1 (RFC 9110 §10.2.3 delay-seconds; 0 would invite an immediate retry).</summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
