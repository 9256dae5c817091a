namespace Gatehouse.Configuration;

// Protection settings: client identity (trusted proxies), access control, rate limits and security headers.
// Hooked into GatehouseConfig (trustedProxies, accessControl, rateLimits, securityHeaders) and RouteDefinition
// (accessControl, rateLimit, securityHeaders). Behaviour: docs/protection.md.

/// <summary>Client IP lists applied to every route (and per route with <see cref="RouteAccessControlDefinition"/>).</summary>
public sealed record AccessControlDefinition : ConfigSection
{
    /// <summary>CIDRs (or single addresses) allowed; when not empty, every other client gets 403.</summary>
    public IReadOnlyList<string> Allow { get; set; } = [];

    /// <summary>CIDRs (or single addresses) refused with 403. Deny wins over allow.</summary>
    public IReadOnlyList<string> Deny { get; set; } = [];
}

public sealed record RouteAccessControlDefinition : ConfigSection
{
    public IReadOnlyList<string> Allow { get; set; } = [];

    public IReadOnlyList<string> Deny { get; set; } = [];

    /// <summary>Methods this route accepts; others get 405 with an Allow header. Empty: any method.</summary>
    public IReadOnlyList<string> Methods { get; set; } = [];

    public BasicAuthDefinition? BasicAuth { get; set; }

    public ForwardAuthDefinition? ForwardAuth { get; set; }
}

public sealed record BasicAuthDefinition : ConfigSection
{
    /// <summary>Shown by browsers in the login prompt (the WWW-Authenticate realm).</summary>
    public string Realm { get; set; } = "Restricted";

    /// <summary>User name → password hash (<c>$pbkdf2-sha256$ITERATIONS$SALT$HASH</c>, from <c>gatehouse hash-password</c>).</summary>
    public IReadOnlyDictionary<string, string> Users { get; set; } = new Dictionary<string, string>();

    /// <summary>Send the client's Authorization header on to the backend (off: the backend never sees the password).</summary>
    public bool ForwardAuthorization { get; set; }
}

public sealed record ForwardAuthDefinition : ConfigSection
{
    /// <summary>The auth service's URL; every request is first asked there (GET, no body).</summary>
    public string? Address { get; set; }

    /// <summary>How long to wait for the auth service. Exceeded: 504 (the request is refused, never let through).</summary>
    public Duration Timeout { get; set; } = Duration.From(TimeSpan.FromSeconds(5));

    /// <summary>Client request headers sent to the auth service; empty: all of them (minus hop-by-hop ones).</summary>
    public IReadOnlyList<string> RequestHeaders { get; set; } = [];

    /// <summary>Headers of the auth service's 2xx answer copied onto the request to the backend (such as X-User).</summary>
    public IReadOnlyList<string> ResponseHeaders { get; set; } = [];
}

public sealed record RateLimitDefinition : ConfigSection
{
    /// <summary><c>tokenBucket</c>, <c>slidingWindow</c>, <c>fixedWindow</c> or <c>concurrency</c>.</summary>
    public string? Algorithm { get; set; }

    /// <summary>What a client is: <c>ip</c>, <c>header:NAME</c>, <c>cookie:NAME</c> or <c>route:NAME</c>.</summary>
    public string Key { get; set; } = "ip";

    /// <summary>Required. Requests per window; for tokenBucket the bucket size; for concurrency the requests in flight at once.</summary>
    public int? PermitLimit { get; set; }

    /// <summary>For fixedWindow and slidingWindow.</summary>
    public Duration Window { get; set; } = Duration.From(TimeSpan.FromMinutes(1));

    /// <summary>For slidingWindow: how many segments the window slides by.</summary>
    public int SegmentsPerWindow { get; set; } = 6;

    /// <summary>For tokenBucket: tokens added each replenishment period.</summary>
    public int TokensPerPeriod { get; set; } = 1;

    /// <summary>For tokenBucket.</summary>
    public Duration ReplenishmentPeriod { get; set; } = Duration.From(TimeSpan.FromSeconds(1));

    /// <summary>Requests that wait for a permit instead of getting 429 at once; 0: none wait.</summary>
    public int QueueLimit { get; set; }

    /// <summary>Clients (CIDRs) never limited.</summary>
    public IReadOnlyList<string> Exempt { get; set; } = [];

    /// <summary>Cluster mode, while Redis cannot be reached: <c>local</c> (count on each node alone) or <c>refuse</c> (429).</summary>
    public string? WhenClusterUnavailable { get; set; }
}

/// <summary>The values of a policy's <c>whenClusterUnavailable</c> (docs/cluster.md).</summary>
public static class RateLimitClusterFallbacks
{
    public const string Local = "local";
    public const string Refuse = "refuse";

    public static IReadOnlyList<string> All { get; } = [Local, Refuse];
}

public static class RateLimitAlgorithms
{
    public const string TokenBucket = "tokenBucket";
    public const string SlidingWindow = "slidingWindow";
    public const string FixedWindow = "fixedWindow";
    public const string Concurrency = "concurrency";

    public static IReadOnlyList<string> All { get; } = [TokenBucket, SlidingWindow, FixedWindow, Concurrency];

    /// <summary>A route's <c>rateLimit</c> that turns off the default policy; no policy may take this name.</summary>
    public const string None = "none";
}

public sealed record SecurityHeadersDefinition : ConfigSection
{
    /// <summary>Response headers added when the backend did not send them. An empty value turns a default (or global) one off.</summary>
    public IReadOnlyDictionary<string, string> Set { get; set; } = new Dictionary<string, string>();

    /// <summary>Response headers removed from the backend's answer (removed first, so set can then replace them).</summary>
    public IReadOnlyList<string> Remove { get; set; } = [];
}
