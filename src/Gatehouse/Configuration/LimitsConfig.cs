namespace Gatehouse.Configuration;

/// <summary>
/// Size and time limits at the edge. Everything except <see cref="MaxRequestBodyBytes"/> is Kestrel's and is read at
/// start-up only; the defaults follow nginx where it has an equivalent (see docs/protection.md, "Limits").
/// </summary>
public sealed record LimitsDefinition : ConfigSection
{
    /// <summary>The request line (method, target, version). Longer: 414. nginx's large_client_header_buffers is 8 KB.</summary>
    public ByteSize MaxRequestLineBytes { get; set; } = ByteSize.Parse("8KB");

    /// <summary>All request header lines together. More: 431.</summary>
    public ByteSize MaxRequestHeadersBytes { get; set; } = ByteSize.Parse("32KB");

    /// <summary>Request header fields. More: 431.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Request body. More: 413. Routes may set their own (<c>routes.X.limits.maxRequestBodyBytes</c>).</summary>
    public ByteSize MaxRequestBodyBytes { get; set; } = ByteSize.Parse("10MB");

    /// <summary>
    /// Request bodies up to this size are read whole before the request is forwarded (nginx's proxy_request_buffering), so
    /// a malformed or unfinished body never reaches a backend; longer ones stream after this much. 0 turns it off. Routes
    /// may set their own (<c>routes.X.limits.requestBodyBufferBytes</c>; 0 for a streaming upload route).
    /// </summary>
    public ByteSize RequestBodyBufferBytes { get; set; } = ByteSize.Parse("64KB");

    /// <summary>From the first byte of a request to the end of its headers. Slower clients are disconnected.</summary>
    public Duration RequestHeadersTimeout { get; set; } = Duration.Parse("15s");

    /// <summary>How long an idle keep-alive connection stays open (nginx: keepalive_timeout 75s).</summary>
    public Duration KeepAliveTimeout { get; set; } = Duration.Parse("75s");

    /// <summary>A client sending its body slower than this (after the grace period) is disconnected.</summary>
    public MinDataRateDefinition MinRequestBodyDataRate { get; set; } = new();

    /// <summary>A client reading its response slower than this (after the grace period) is disconnected.</summary>
    public MinDataRateDefinition MinResponseDataRate { get; set; } = new();

    /// <summary>Open client connections in all; further ones are closed at once.</summary>
    public int? MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Open connections from one client IP address; further ones are closed at once. Off unless set: behind a load
    /// balancer or CDN every client shares one address (nginx, HAProxy and Caddy have no such default either).
    /// </summary>
    public int? MaxConnectionsPerClient { get; set; }

    /// <summary>Per-connection budgets for HTTP/2 frames that carry no request (floods, rapid reset). See docs/protection.md.</summary>
    public Http2LimitsDefinition Http2 { get; set; } = new();
}

/// <summary>
/// What one HTTP/2 connection may spend on frames that cost the server work without carrying a request; a connection
/// that spends a budget gets GOAWAY(ENHANCE_YOUR_CALM) and is closed. 0 turns a budget off.
/// </summary>
public sealed record Http2LimitsDefinition : ConfigSection
{
    /// <summary>
    /// SETTINGS, PING, PRIORITY, empty DATA/HEADERS/CONTINUATION, unknown frame types, and WINDOW_UPDATEs beyond two per
    /// DATA frame sent: this many at once (Envoy's outbound control-frame limit is also 1,000)…
    /// </summary>
    public int MaxControlFrames { get; set; } = 1000;

    /// <summary>…refilled at this rate.</summary>
    public double ControlFramesPerSecond { get; set; } = 100;

    /// <summary>
    /// RST_STREAMs from the client, refilled by one for each stream the server completes. 200 is twice the streams a
    /// connection may have open, so a client may cancel every open stream twice over; rapid reset (CVE-2023-44487) cannot.
    /// </summary>
    public int MaxResets { get; set; } = 200;
}

/// <summary>A minimum data rate, as Kestrel's MinDataRate: a rate, enforced once the grace period has passed.</summary>
public sealed record MinDataRateDefinition : ConfigSection
{
    /// <summary>0 turns the check off.</summary>
    public double BytesPerSecond { get; set; } = 240;

    public Duration GracePeriod { get; set; } = Duration.Parse("5s");
}

/// <summary>One route's limits; absent settings follow the top-level <c>limits</c>. Reloaded live.</summary>
public sealed record RouteLimitsDefinition : ConfigSection
{
    public ByteSize? MaxRequestBodyBytes { get; set; }

    /// <summary>The whole request body must arrive within this time, or the connection is closed. Absent: none.</summary>
    public Duration? RequestBodyTimeout { get; set; }

    /// <summary>This route's request body buffer (see <see cref="LimitsDefinition.RequestBodyBufferBytes"/>); 0 streams every body.</summary>
    public ByteSize? RequestBodyBufferBytes { get; set; }
}

/// <summary>HTTP strictness switches at the edge.</summary>
public sealed record HttpDefinition : ConfigSection
{
    /// <summary>
    /// The answer to a request for a host no route declares, when some routes declare hosts and none matches any host:
    /// 421 (Misdirected Request, RFC 9110 §15.5.20; the default) or 404.
    /// </summary>
    public int UnknownHostStatus { get; set; } = 421;

    /// <summary>
    /// The strict checks Gatehouse adds to Kestrel's parser (framing, header fields, TRACE). On by default; off only to
    /// measure their cost or, like HAProxy's <c>accept-invalid-http-request</c>, as a last resort. Read at start-up. The
    /// canonical path (docs/protection.md, "Paths: one canonical form") is not one of them: it always applies.
    /// </summary>
    public bool Strict { get; set; } = true;

    /// <summary>
    /// Request header names holding <c>_</c>: <c>drop</c> (the default, as nginx's <c>underscores_in_headers off</c>),
    /// <c>reject</c> (400) or <c>pass</c>. CGI, PHP, WSGI and Rack backends read <c>X_Forwarded_For</c> as
    /// <c>X-Forwarded-For</c>, so a name Gatehouse does not recognise would otherwise reach them as one it strips.
    /// </summary>
    public string UnderscoresInHeaders { get; set; } = Gatehouse.Configuration.UnderscoresInHeaders.Drop;
}

/// <summary>The values of <see cref="HttpDefinition.UnderscoresInHeaders"/>.</summary>
public static class UnderscoresInHeaders
{
    public const string Drop = "drop";
    public const string Reject = "reject";
    public const string Pass = "pass";

    public static readonly IReadOnlyList<string> All = [Drop, Reject, Pass];
}
