using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Configuration;

/// <summary>
/// The whole config file. Never changed once read: a reload builds a new instance and swaps it in atomically. (Its
/// settings are settable rather than init-only only because the JSON source generator drops init-only defaults.)
/// Names follow YARP's route and cluster vocabulary (in camelCase) so YARP users feel at home.
/// </summary>
public sealed record GatehouseConfig : ConfigSection
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; set; }

    public IReadOnlyList<ListenerDefinition> Listeners { get; set; } = [];

    public IReadOnlyDictionary<string, RouteDefinition> Routes { get; set; } = new Dictionary<string, RouteDefinition>();

    public IReadOnlyDictionary<string, ClusterDefinition> Clusters { get; set; } = new Dictionary<string, ClusterDefinition>();

    public AccessLogDefinition AccessLog { get; set; } = new();

    /// <summary>Gatehouse's own log lines: format and level (docs/configuration.md#log).</summary>
    public LogDefinition Log { get; set; } = new();

    public ServerDefinition Server { get; set; } = new();

    /// <summary>The HTTP cache's store and shared settings; routes opt in with their own <c>cache</c> section.</summary>
    public CacheDefinition Cache { get; set; } = new();

    /// <summary>Cluster mode: Redis shared with the other nodes (docs/cluster.md). Absent: this node works alone.</summary>
    public ClusterModeDefinition? Cluster { get; set; }

    /// <summary>Response compression (gzip, brotli, zstd) for every route; routes can change it with their own section.</summary>
    public CompressionDefinition Compression { get; set; } = new();

    /// <summary>The admin API (purge, status). Off unless a port is given.</summary>
    public AdminDefinition Admin { get; set; } = new();

    /// <summary>Metrics at <c>GET /metrics</c> on the admin listener and over OTLP (docs/operations.md). On by default.</summary>
    public MetricsDefinition Metrics { get; set; } = new();

    /// <summary>Request and upstream-attempt spans over OTLP, <c>traceparent</c> to the backends. Off by default.</summary>
    public TracingDefinition Tracing { get; set; } = new();

    /// <summary>Keeping backends out of sight: identity headers, backend URLs, cookie domains, error pages. On by default.</summary>
    public HideBackendDefinition HideBackend { get; set; } = new();
    /// <summary>Proxies (CIDRs) whose X-Forwarded-* and Forwarded headers are believed; see docs/protection.md.</summary>
    public IReadOnlyList<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Request headers that claim the client's address; removed unless the peer is a trusted proxy. Replaces the default
    /// list, which names the ones in common use.
    /// </summary>
    public IReadOnlyList<string> ClientIpHeaders { get; set; } = DefaultClientIpHeaders;

    /// <summary>The default <see cref="ClientIpHeaders"/>: those nginx's realip, CDNs and load balancers set, and frameworks read.</summary>
    public static readonly IReadOnlyList<string> DefaultClientIpHeaders =
        ["X-Real-IP", "True-Client-IP", "X-Client-IP", "CF-Connecting-IP", "Fastly-Client-IP", "X-Cluster-Client-IP"];

    public AccessControlDefinition AccessControl { get; set; } = new();

    public IReadOnlyDictionary<string, RateLimitDefinition> RateLimits { get; set; } = new Dictionary<string, RateLimitDefinition>();

    /// <summary>The rate limit policy of routes that name none; a route opts out with <c>"rateLimit": "none"</c>.</summary>
    public string? DefaultRateLimit { get; set; }

    public SecurityHeadersDefinition SecurityHeaders { get; set; } = new();
    /// <summary>Certificates and TLS hardening for HTTPS listeners (see docs/tls.md).</summary>
    public TlsDefinition Tls { get; set; } = new();

    /// <summary>Size and time limits at the edge (docs/protection.md).</summary>
    public LimitsDefinition Limits { get; set; } = new();

    /// <summary>HTTP strictness switches (docs/protection.md).</summary>
    public HttpDefinition Http { get; set; } = new();

    /// <summary>
    /// <c>lean</c> (Gatehouse's own HTTP/1.1 client for http:// destinations, YARP's forwarder for the rest) or <c>yarp</c>
    /// (YARP's forwarder for everything). Absent: the GATEHOUSE_FORWARDER environment variable, else lean (docs/upstream.md).
    /// </summary>
    public string? Forwarder { get; set; }
}

/// <summary>Every section keeps the properties it does not know, so that the validator can report each of them.</summary>
public abstract record ConfigSection
{
    // set, not init: the generated deserializer fills init-only properties as constructor arguments, which extension data cannot be.
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownProperties { get; set; }
}

public sealed record ListenerDefinition : ConfigSection
{
    public string? Name { get; set; }

    /// <summary>IP address to bind. Defaults to loopback: exposing Gatehouse is an explicit decision (<c>0.0.0.0</c> or <c>::</c>).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Required. 0 asks the system for a free port (useful in tests; the bound port is logged).</summary>
    public int? Port { get; set; }

    /// <summary>Present: the listener speaks HTTPS (see docs/tls.md).</summary>
    public ListenerTlsDefinition? Tls { get; set; }

    /// <summary>Present: connections begin with a PROXY protocol header from a trusted load balancer (docs/proxy-protocol.md).</summary>
    public ListenerProxyProtocolDefinition? ProxyProtocol { get; set; }

    /// <summary>
    /// A plain listener's HTTP version: <c>h1</c> (default) or <c>h2</c> (HTTP/2 with prior knowledge only, h2c). HTTPS
    /// listeners negotiate with ALPN (<c>tls.http2</c>). See docs/grpc.md.
    /// </summary>
    public string? Protocols { get; set; }
}

public sealed record ServerDefinition : ConfigSection
{
    /// <summary>How long SIGTERM waits for in-flight requests before closing connections.</summary>
    public Duration DrainTimeout { get; set; } = Duration.From(TimeSpan.FromSeconds(30));
}

public sealed record AccessLogDefinition : ConfigSection
{
    public bool Enabled { get; set; } = true;

    /// <summary><c>combined</c> (nginx/Apache combined log format) or <c>json</c>.</summary>
    public string Format { get; set; } = AccessLogFormats.Combined;

    /// <summary><c>stdout</c> or a file path.</summary>
    public string Path { get; set; } = "stdout";

    /// <summary>Longest time a line waits before it is written; lines queued meanwhile go out in one write.</summary>
    public Duration FlushInterval { get; set; } = Duration.From(TimeSpan.FromMilliseconds(100));
}

public static class AccessLogFormats
{
    public const string Combined = "combined";
    public const string Json = "json";
}

public sealed record RouteDefinition : ConfigSection
{
    public string? ClusterId { get; set; }

    /// <summary>Lower values are matched first; ties are broken by specificity, as in YARP.</summary>
    public int? Order { get; set; }

    public RouteMatchDefinition Match { get; set; } = new();

    /// <summary>YARP transforms, for example <c>{ "pathRemovePrefix": "/api" }</c> or <c>{ "pathPattern": "/v2/{**rest}" }</c>.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? Transforms { get; set; }

    /// <summary>How long to wait for the backend's response headers, over all attempts. Exceeded: 504.</summary>
    public Duration? Timeout { get; set; }

    public RouteRetryDefinition Retry { get; set; } = new();

    /// <summary>Caching of this route's responses (an RFC 9111 shared cache). Off unless enabled.</summary>
    public RouteCacheDefinition Cache { get; set; } = new();

    /// <summary>This route's compression, over the top-level <c>compression</c>.</summary>
    public RouteCompressionDefinition Compression { get; set; } = new();

    /// <summary>This route's own error-page replacement; the rest of hideBackend is global.</summary>
    public RouteHideBackendDefinition HideBackend { get; set; } = new();
    public RouteAccessControlDefinition AccessControl { get; set; } = new();

    /// <summary>The name of a policy in the top-level <c>rateLimits</c>, or <c>none</c> (no limit, not even the default).</summary>
    public string? RateLimit { get; set; }

    public SecurityHeadersDefinition SecurityHeaders { get; set; } = new();

    /// <summary>This route's own limits (request body size), over the top-level <c>limits</c>.</summary>
    public RouteLimitsDefinition Limits { get; set; } = new();

    /// <summary>
    /// Send the backend the client's path as it was spelled (percent-encoding and all) instead of the canonical path;
    /// matching still uses the canonical path, and a path with repeated slashes or dot segments is refused with 400.
    /// For backends that check signatures over the exact URL (docs/protection.md, "Paths: one canonical form").
    /// </summary>
    public bool ForwardRawPath { get; set; }

    /// <summary>Percentage split between clusters (canary), over <see cref="ClusterId"/>; see docs/traffic-shaping.md.</summary>
    public IReadOnlyList<SplitTargetDefinition>? Split { get; set; }

    /// <summary>What pins a client to one side of the split: <c>ip</c>, <c>header:NAME</c> or <c>cookie:NAME</c>; absent, each request is drawn.</summary>
    public string? SplitKey { get; set; }

    /// <summary>Headers or cookies that pick a cluster over the split.</summary>
    public IReadOnlyList<SplitOverrideDefinition>? SplitOverrides { get; set; }

    /// <summary>Copies of a share of this route's requests to a shadow cluster.</summary>
    public MirrorDefinition? Mirror { get; set; }

    /// <summary>Files served from a folder (docs/static-files.md); absent for a route that only forwards.</summary>
    public FilesDefinition? Files { get; set; }

    /// <summary>
    /// Take gRPC-Web (<c>application/grpc-web</c>, <c>application/grpc-web-text</c>) from browsers and speak gRPC to the
    /// backend, which must then be reached over HTTP/2 (an <c>h2c://</c> or https:// cluster). See docs/grpc.md.
    /// </summary>
    public bool GrpcWeb { get; set; }
}

public sealed record RouteMatchDefinition : ConfigSection
{
    public IReadOnlyList<string>? Hosts { get; set; }

    /// <summary>A YARP route template such as <c>/api/{**rest}</c>.</summary>
    public string? Path { get; set; }

    /// <summary>A plain prefix: <c>/api</c> matches <c>/api</c> and <c>/api/…</c> but not <c>/apix</c>.</summary>
    public string? PathPrefix { get; set; }

    public IReadOnlyList<string>? Methods { get; set; }

    public IReadOnlyList<HeaderMatchDefinition>? Headers { get; set; }
}

public sealed record HeaderMatchDefinition : ConfigSection
{
    public string? Name { get; set; }

    public IReadOnlyList<string>? Values { get; set; }

    /// <summary>YARP header match mode: ExactHeader, HeaderPrefix, Contains, NotContains, Exists, NotExists.</summary>
    public string Mode { get; set; } = "ExactHeader";

    public bool IsCaseSensitive { get; set; }
}

public sealed record RouteRetryDefinition : ConfigSection
{
    /// <summary>Replay non-idempotent requests (POST, PATCH) too. Their body is buffered, up to <see cref="MaxBufferedBodyBytes"/>.</summary>
    public bool AllowUnsafeMethods { get; set; }

    public long MaxBufferedBodyBytes { get; set; } = 64 * 1024;
}

public sealed record ClusterDefinition : ConfigSection
{
    /// <summary>See <see cref="Gatehouse.LoadBalancing.LoadBalancingPolicyNames"/>. Default: PowerOfTwoChoices.</summary>
    public string? LoadBalancingPolicy { get; set; }

    /// <summary>For ConsistentHash: <c>ip</c>, <c>path</c>, <c>header:NAME</c> or <c>cookie:NAME</c>.</summary>
    public string? HashKey { get; set; }

    public SessionAffinityDefinition SessionAffinity { get; set; } = new();

    public IReadOnlyDictionary<string, DestinationDefinition> Destinations { get; set; } = new Dictionary<string, DestinationDefinition>();

    public HealthCheckDefinition HealthCheck { get; set; } = new();

    public ClusterRetryDefinition Retry { get; set; } = new();

    public HttpClientDefinition HttpClient { get; set; } = new();

    public HttpRequestDefinition HttpRequest { get; set; } = new();

    /// <summary><c>http</c> (default) or <c>fastcgi</c>; fastcgi:// destination addresses imply fastcgi (docs/fastcgi.md).</summary>
    public string? Protocol { get; set; }

    /// <summary>The FastCGI settings, for a fastcgi cluster.</summary>
    public FastCgiDefinition? FastCgi { get; set; }
    /// <summary>Destinations whose address names a host that is re-resolved on its TTL (docs/dns.md). Off by default.</summary>
    public ClusterDnsDefinition Dns { get; set; } = new();

    /// <summary>At most this many requests at a time per destination (HAProxy's maxconn); the rest wait in <see cref="Queue"/>. None when absent.</summary>
    public int? MaxConcurrentRequests { get; set; }

    /// <summary>The per-destination queue of requests waiting for <see cref="MaxConcurrentRequests"/> (docs/load-balancing.md).</summary>
    public DestinationQueueDefinition Queue { get; set; } = new();

    /// <summary>A destination that comes back healthy, or is added, ramps up to its full share over this period. Off when absent.</summary>
    public Duration? SlowStart { get; set; }

    /// <summary><c>v1</c> or <c>v2</c>: each connection to the destinations begins with a PROXY protocol header naming the client (docs/proxy-protocol.md).</summary>
    public string? ProxyProtocol { get; set; }
}

public sealed record DestinationDefinition : ConfigSection
{
    public string? Address { get; set; }

    /// <summary>Where active probes go, when not <see cref="Address"/>.</summary>
    public string? Health { get; set; }

    /// <summary>Relative share of traffic for the weighted policies: WeightedRoundRobin and ConsistentHash.</summary>
    public int Weight { get; set; } = 1;

    /// <summary><c>v1</c>, <c>v2</c> or <c>none</c>, over the cluster's <c>proxyProtocol</c>.</summary>
    public string? ProxyProtocol { get; set; }
}

public sealed record SessionAffinityDefinition : ConfigSection
{
    public bool Enabled { get; set; }

    public string CookieName { get; set; } = "gatehouse_affinity";
}

public sealed record HealthCheckDefinition : ConfigSection
{
    public ActiveHealthCheckDefinition Active { get; set; } = new();

    public PassiveHealthCheckDefinition Passive { get; set; } = new();

    /// <summary><c>panic</c> (default: send to every destination) or <c>fail</c> (answer 503 at once).</summary>
    public string WhenAllUnhealthy { get; set; } = AllUnhealthyModes.Panic;
}

public static class AllUnhealthyModes
{
    public const string Panic = "panic";
    public const string Fail = "fail";
}

public sealed record ActiveHealthCheckDefinition : ConfigSection
{
    public bool Enabled { get; set; }

    public Duration Interval { get; set; } = Duration.From(TimeSpan.FromSeconds(5));

    public Duration Timeout { get; set; } = Duration.From(TimeSpan.FromSeconds(2));

    public string Path { get; set; } = "/";

    /// <summary>Consecutive successful probes before an unhealthy destination is healthy again.</summary>
    public int HealthyThreshold { get; set; } = 1;

    /// <summary>Consecutive failed probes before a destination is unhealthy.</summary>
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Present: probe with the gRPC health protocol (grpc.health.v1.Health/Check) instead of GET <see cref="Path"/>.</summary>
    public GrpcHealthCheckDefinition? Grpc { get; set; }
}

public sealed record GrpcHealthCheckDefinition : ConfigSection
{
    /// <summary>The service name asked about; empty asks about the server as a whole.</summary>
    public string Service { get; set; } = "";
}

public sealed record PassiveHealthCheckDefinition : ConfigSection
{
    public bool Enabled { get; set; } = true;

    /// <summary>Consecutive failures (connect errors, resets, timeouts, 5xx) that eject a destination.</summary>
    public int ConsecutiveFailures { get; set; } = 5;

    /// <summary>Treat 5xx answers as failures, not only transport errors.</summary>
    public bool CountServerErrors { get; set; } = true;

    /// <summary>How long an ejected destination stays out before it gets traffic again.</summary>
    public Duration ReactivationPeriod { get; set; } = Duration.From(TimeSpan.FromSeconds(10));

    /// <summary>Ejection by error rate and latency over an interval, beside the consecutive failures (docs/health.md).</summary>
    public OutlierDetectionDefinition OutlierDetection { get; set; } = new();
}

public sealed record ClusterRetryDefinition : ConfigSection
{
    public bool Enabled { get; set; } = true;

    /// <summary>Attempts in all, the first included; each on a different destination.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Backend statuses that count as a failed attempt. Connect errors and resets before any response byte always do.</summary>
    public IReadOnlyList<int> Statuses { get; set; } = [502, 503, 504];

    public RetryBudgetDefinition Budget { get; set; } = new();
}

public sealed record RetryBudgetDefinition : ConfigSection
{
    /// <summary>Retries may add at most this share of the requests seen in the window.</summary>
    public double Percent { get; set; } = 20;

    /// <summary>A floor so a quiet cluster can still retry.</summary>
    public int MinRetriesPerSecond { get; set; } = 10;

    public Duration Window { get; set; } = Duration.From(TimeSpan.FromSeconds(10));
}

public sealed record HttpClientDefinition : ConfigSection
{
    public Duration ConnectTimeout { get; set; } = Duration.From(TimeSpan.FromSeconds(5));

    public int? MaxConnectionsPerServer { get; set; }

    public bool DangerousAcceptAnyServerCertificate { get; set; }

    public bool EnableMultipleHttp2Connections { get; set; } = true;

    /// <summary>
    /// How long an idle connection to a backend is kept for reuse. Below the idle timeouts of common backends (Node.js's
    /// http.Server keepAliveTimeout 5 s, uvicorn 5 s, Apache's KeepAliveTimeout 5 s), so that Gatehouse closes first and
    /// never sends a request on a connection the backend is closing at that moment (issue 16, docs/upstream.md).
    /// </summary>
    public Duration PooledConnectionIdleTimeout { get; set; } = Duration.From(DefaultPooledConnectionIdleTimeout);

    /// <summary>The default <see cref="PooledConnectionIdleTimeout"/>: 4 s.</summary>
    public static readonly TimeSpan DefaultPooledConnectionIdleTimeout = TimeSpan.FromSeconds(4);

    /// <summary>TLS to https:// destinations: CA bundle, SNI override, client certificate (see docs/tls.md).</summary>
    public UpstreamTlsDefinition? Tls { get; set; }
}

public sealed record HttpRequestDefinition : ConfigSection
{
    /// <summary>Longest silence from the backend (no bytes either way) before the request fails with 504.</summary>
    public Duration ActivityTimeout { get; set; } = Duration.From(TimeSpan.FromSeconds(100));

    /// <summary><c>1.0</c>, <c>1.1</c>, <c>2</c> or <c>3</c>; a lower version is used when the backend does not offer it.</summary>
    public string Version { get; set; } = "1.1";

    /// <summary>
    /// <c>orLower</c> (default: over plain http:// a 2 becomes HTTP/1.1), <c>exact</c> (2 over plain http:// is h2c with
    /// prior knowledge, as an <c>h2c://</c> destination asks) or <c>orHigher</c>. See docs/grpc.md.
    /// </summary>
    public string? VersionPolicy { get; set; }
}

public sealed record CacheDefinition : ConfigSection
{
    /// <summary>Total bytes the in-memory store keeps.</summary>
    public ByteSize MaxBytes { get; set; } = ByteSize.Parse("256MB");

    /// <summary>The largest response stored; larger ones stream through to the client unstored.</summary>
    public ByteSize MaxEntryBytes { get; set; } = ByteSize.Parse("8MB");

    /// <summary>A directory for a disk tier that survives restarts; none when absent.</summary>
    public string? DiskPath { get; set; }

    public ByteSize DiskMaxBytes { get; set; } = ByteSize.Parse("1GB");

    /// <summary>Gatehouse's own targeted cache-control field (RFC 9213); it wins over CDN-Cache-Control and Cache-Control and is not sent to clients.</summary>
    public string TargetedField { get; set; } = "Gatehouse-Cache-Control";

    /// <summary>How long a request waits for an identical one already fetching from the backend.</summary>
    public Duration CollapseTimeout { get; set; } = Duration.From(TimeSpan.FromSeconds(10));
}

public sealed record RouteCacheDefinition : ConfigSection
{
    public bool Enabled { get; set; }

    /// <summary>Query parameters left out of the cache key; a trailing <c>*</c> makes a prefix (<c>utm_*</c>).</summary>
    public IReadOnlyList<string> IgnoreQueryParameters { get; set; } = [];

    /// <summary>Sort query parameters in the key so their order does not matter.</summary>
    public bool SortQueryParameters { get; set; }

    /// <summary>Request headers added to the cache key.</summary>
    public IReadOnlyList<string> KeyHeaders { get; set; } = [];

    /// <summary>Cookies added to the cache key.</summary>
    public IReadOnlyList<string> KeyCookies { get; set; } = [];

    /// <summary>Serve a stale response this long past expiry when the backend fails, for responses without stale-if-error.</summary>
    public Duration MaxStaleOnError { get; set; } = Duration.From(TimeSpan.Zero);

    /// <summary>Share of the time since Last-Modified used as freshness when the response gives none (RFC 9111 §4.2.2); 0 turns it off.</summary>
    public double HeuristicFraction { get; set; } = 0.1;

    public Duration HeuristicMaxLifetime { get; set; } = Duration.From(TimeSpan.FromDays(1));

    /// <summary>The response header listing purge tags (Cache-Tag, Surrogate-Key…); empty for none.</summary>
    public string? TagHeader { get; set; } = "Cache-Tag";

    /// <summary>Put the cache key into Cache-Status (debugging; keys can reveal internals).</summary>
    public bool ExposeKey { get; set; }
}

public sealed record AdminDefinition : ConfigSection
{
    /// <summary>Address of the admin listener; loopback by default. Anything else requires a token.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The admin API's port; the admin API is off when absent.</summary>
    public int? Port { get; set; }

    /// <summary>When set, every admin request needs <c>Authorization: Bearer TOKEN</c>.</summary>
    public string? Token { get; set; }
}
