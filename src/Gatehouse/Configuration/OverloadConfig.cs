namespace Gatehouse.Configuration;

/// <summary>A cluster's <c>dns</c> section: destinations by host name, re-resolved on the answer's TTL (docs/dns.md).</summary>
public sealed record ClusterDnsDefinition : ConfigSection
{
    /// <summary>Resolve each destination's host name; every address answered becomes a destination of its own.</summary>
    public bool Resolve { get; set; }

    /// <summary>The shortest time an answer is kept, whatever its TTL says (so a TTL of 0 cannot make a lookup per request).</summary>
    public Duration MinTtl { get; set; } = Duration.From(TimeSpan.FromSeconds(5));

    /// <summary>The longest time an answer is kept, whatever its TTL says.</summary>
    public Duration MaxTtl { get; set; } = Duration.From(TimeSpan.FromMinutes(5));

    /// <summary>DNS servers as <c>address</c> or <c>address:port</c>; the system's when empty.</summary>
    public IReadOnlyList<string> Resolvers { get; set; } = [];

    /// <summary>Look up SRV records (<c>_service._proto.name</c>): they give each destination's port and weight.</summary>
    public bool Srv { get; set; }

    /// <summary>The Host header sent to the backend: the configured name when absent, the address when empty.</summary>
    public string? Host { get; set; }
}

/// <summary>The queue in front of a destination that has <c>maxConcurrentRequests</c> in flight.</summary>
public sealed record DestinationQueueDefinition : ConfigSection
{
    /// <summary>Requests that may wait per destination; one more is answered 503 at once. 0: no queue.</summary>
    public int Size { get; set; } = 100;

    /// <summary>How long a request waits for its turn before it is answered 503 with Retry-After.</summary>
    public Duration Timeout { get; set; } = Duration.From(TimeSpan.FromSeconds(10));
}

/// <summary>Outlier detection by error rate and latency (Envoy's failure_percentage and a latency outlier), per interval.</summary>
public sealed record OutlierDetectionDefinition : ConfigSection
{
    public bool Enabled { get; set; }

    /// <summary>How often the destinations' statistics are judged (and then started afresh).</summary>
    public Duration Interval { get; set; } = Duration.From(TimeSpan.FromSeconds(10));

    /// <summary>Fewer requests than this in an interval and a destination is not judged.</summary>
    public int MinRequests { get; set; } = 20;

    /// <summary>Percentage of failed requests at or above which a destination is ejected; absent: error rate is not judged.</summary>
    public double? MaxErrorPercent { get; set; } = 50;

    /// <summary>A destination whose mean latency is this many times the cluster's median is ejected; absent: latency is not judged.</summary>
    public double? LatencyFactor { get; set; }

    /// <summary>Mean latencies below this are never outliers (a destination at 2 ms beside ones at 0.5 ms is fine).</summary>
    public Duration MinLatency { get; set; } = Duration.From(TimeSpan.FromMilliseconds(100));

    /// <summary>How long an outlier stays out.</summary>
    public Duration EjectionTime { get; set; } = Duration.From(TimeSpan.FromSeconds(30));

    /// <summary>The largest share of a cluster's destinations ejected at once, counting those the consecutive failures ejected.</summary>
    public double MaxEjectionPercent { get; set; } = 50;
}
