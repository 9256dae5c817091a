namespace Gatehouse.Configuration;

/// <summary>One cluster of a route's <c>split</c> and its relative share of the route's requests.</summary>
public sealed record SplitTargetDefinition : ConfigSection
{
    public string? Cluster { get; init; }

    public int Weight { get; init; } = 1;
}

/// <summary>
/// A request that names its cluster, over the split: by a header or a cookie (one of them), with a given value (or any)
/// picking <see cref="Cluster"/>; without <see cref="Cluster"/>, the header's or cookie's value names one of the split's clusters.
/// </summary>
public sealed record SplitOverrideDefinition : ConfigSection
{
    public string? Header { get; init; }

    public string? Cookie { get; init; }

    public string? Value { get; init; }

    public string? Cluster { get; init; }
}

/// <summary>A share of a route's requests copied to a shadow cluster, whose answers are discarded (docs/traffic-shaping.md).</summary>
public sealed record MirrorDefinition : ConfigSection
{
    public string? Cluster { get; init; }

    /// <summary>The share of the route's requests copied, 0 to 100.</summary>
    public double Percent { get; init; } = 100;

    /// <summary>Requests with a larger body are not copied (counted as dropped); the client's request goes on unchanged.</summary>
    public ByteSize MaxBodyBytes { get; init; } = ByteSize.From(64 * 1024);

    /// <summary>Copies in flight at most, for this route; a copy beyond it is dropped and counted.</summary>
    public int MaxConcurrent { get; init; } = 16;

    /// <summary>How long a copy may take until the shadow's response head; then it is abandoned.</summary>
    public Duration Timeout { get; init; } = Duration.From(TimeSpan.FromSeconds(5));
}
