namespace Gatehouse.Configuration;

/// <summary>
/// A listener's <c>proxyProtocol</c> section: present, every connection must begin with a PROXY protocol header (v1 or
/// v2, told apart by its first byte, as HAProxy's <c>accept-proxy</c>), sent from one of <see cref="TrustedSenders"/>
/// (nginx's <c>set_real_ip_from</c>). The client address it carries becomes the connection's. A connection from any
/// other address, or without a valid header within <see cref="HeaderTimeout"/>, is closed (docs/proxy-protocol.md).
/// </summary>
public sealed record ListenerProxyProtocolDefinition : ConfigSection
{
    /// <summary>Required, not empty: the load balancers (addresses or CIDRs) allowed to speak for their clients.</summary>
    public IReadOnlyList<string> TrustedSenders { get; set; } = [];

    /// <summary>How long a new connection may take to send its whole header (a slow or silent sender is closed).</summary>
    public Duration HeaderTimeout { get; set; } = Duration.From(TimeSpan.FromSeconds(5));

    // By value, list included: a reload compares listeners to warn about changes that wait for a restart, and the same
    // file read twice must compare equal.
    public bool Equals(ListenerProxyProtocolDefinition? other) =>
        other is not null && TrustedSenders.SequenceEqual(other.TrustedSenders) && HeaderTimeout.Equals(other.HeaderTimeout);

    public override int GetHashCode() => HashCode.Combine(TrustedSenders.Count, HeaderTimeout);
}

/// <summary>The values of a cluster's or destination's <c>proxyProtocol</c>: the header Gatehouse sends to backends.</summary>
public static class ProxyProtocolVersions
{
    public const string V1 = "v1";
    public const string V2 = "v2";

    /// <summary>A destination's way out of its cluster's setting.</summary>
    public const string None = "none";

    /// <summary>1 or 2 for a known version, 0 for none, null for anything else.</summary>
    public static int? Parse(string? value) => value switch
    {
        null or None => 0,
        V1 => 1,
        V2 => 2,
        _ => null,
    };
}
