namespace Gatehouse.Configuration;

/// <summary>
/// Metrics: Prometheus text at <c>GET /metrics</c> on the admin listener, and OTLP export when an endpoint is given
/// (docs/operations.md). On by default; read at start-up.
/// </summary>
public sealed record MetricsDefinition : ConfigSection
{
    public bool Enabled { get; set; } = true;

    /// <summary>Present: metrics are also pushed over OTLP/HTTP (protobuf) every <c>interval</c>.</summary>
    public OtlpDefinition? Otlp { get; set; }
}

/// <summary>
/// Tracing: a span per request and per upstream attempt, W3C <c>traceparent</c> to the backends, exported over OTLP.
/// Off by default (and then it costs nothing); read at start-up.
/// </summary>
public sealed record TracingDefinition : ConfigSection
{
    public bool Enabled { get; set; }

    /// <summary>The share of new traces recorded (0 to 1); a request that arrives with a <c>traceparent</c> follows its sampled flag.</summary>
    public double SampleRatio { get; set; } = 1.0;

    /// <summary>Where the spans go; required when tracing is enabled.</summary>
    public OtlpDefinition? Otlp { get; set; }
}

public sealed record OtlpDefinition : ConfigSection
{
    /// <summary>The collector's OTLP/HTTP base address, such as <c>http://127.0.0.1:4318</c>; <c>/v1/metrics</c> or <c>/v1/traces</c> is added.</summary>
    public string? Endpoint { get; set; }

    /// <summary>How often metrics are pushed (metrics only).</summary>
    public Duration Interval { get; set; } = Duration.From(TimeSpan.FromSeconds(15));

    /// <summary>Headers sent with every export (an API key, for example).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();
}
