using System.Net;

namespace Gatehouse.Discovery;

/// <summary>One address a name resolved to; an SRV record adds its port and weight and names its target.</summary>
public sealed record ResolvedAddress(IPAddress Address, int? Port = null, int Weight = 1, string? Target = null);

/// <summary>A successful lookup: the addresses (never empty) and how long they may be kept (the smallest TTL among them).</summary>
public sealed record DnsAnswer(IReadOnlyList<ResolvedAddress> Addresses, TimeSpan Ttl)
{
    /// <summary>Whether two answers name the same destinations (order and TTL aside): only then is YARP told nothing changed.</summary>
    public bool SameDestinations(DnsAnswer? other) =>
        other is not null && Addresses.Count == other.Addresses.Count && Addresses.ToHashSet().SetEquals(other.Addresses);
}
