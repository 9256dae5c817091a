namespace Gatehouse.Configuration;

/// <summary>One cluster of a route's <c>split</c> and its relative share of the route's requests.</summary>
public sealed record SplitTargetDefinition : ConfigSection
{
    public string? Cluster { get; set; }

    public int Weight { get; set; } = 1;
}

/// <summary>
/// A request that names its cluster, over the split: by a header or a cookie (one of them), with a given value (or any)
/// picking <see cref="Cluster"/>; without <see cref="Cluster"/>, the header's or cookie's value names one of the split's clusters.
/// </summary>
public sealed record SplitOverrideDefinition : ConfigSection
{
    public string? Header { get; set; }

    public string? Cookie { get; set; }

    public string? Value { get; set; }

    public string? Cluster { get; set; }
}

/// <summary>A share of a route's requests copied to a shadow cluster, whose answers are discarded (docs/traffic-shaping.md).</summary>
public sealed record MirrorDefinition : ConfigSection
{
    public string? Cluster { get; set; }

    /// <summary>The share of the route's requests copied, 0 to 100.</summary>
    public double Percent { get; set; } = 100;

    /// <summary>Requests with a larger body are not copied (counted as dropped); the client's request goes on unchanged.</summary>
    public ByteSize MaxBodyBytes { get; set; } = ByteSize.From(64 * 1024);

    /// <summary>Copies in flight at most, for this route; a copy beyond it is dropped and counted.</summary>
    public int MaxConcurrent { get; set; } = 16;

    /// <summary>How long a copy may take until the shadow's response head; then it is abandoned.</summary>
    public Duration Timeout { get; set; } = Duration.From(TimeSpan.FromSeconds(5));
}
