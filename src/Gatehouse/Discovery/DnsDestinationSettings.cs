using System.Globalization;
using System.Net;
using Gatehouse.Configuration;

namespace Gatehouse.Discovery;

/// <summary>
/// How a destination's host name is resolved: the TTL bounds, the DNS servers (none: the system's), SRV or A/AAAA, and
/// the Host header. Carried to YARP's destination resolver in the destination's metadata, since YARP gives a resolver
/// the destinations and nothing of their cluster.
/// </summary>
public sealed record DnsDestinationSettings(TimeSpan MinTtl, TimeSpan MaxTtl, IReadOnlyList<IPEndPoint> Resolvers, bool Srv, string? Host)
{
    private const string Prefix = "Gatehouse.Dns.";
    private const string MinTtlKey = Prefix + "MinTtl";
    private const string MaxTtlKey = Prefix + "MaxTtl";
    private const string ResolversKey = Prefix + "Resolvers";
    private const string SrvKey = Prefix + "Srv";
    private const string HostKey = Prefix + "Host";

    /// <summary>The settings of a cluster whose <c>dns.resolve</c> is on; null when it is off.</summary>
    public static DnsDestinationSettings? From(ClusterDnsDefinition dns) => dns.Resolve
        ? new(dns.MinTtl.Value ?? TimeSpan.FromSeconds(5), dns.MaxTtl.Value ?? TimeSpan.FromMinutes(5),
            dns.Resolvers.Select(r => TryParseResolver(r, out var endPoint) ? endPoint : null).OfType<IPEndPoint>().ToList(), dns.Srv, dns.Host)
        : null;

    /// <summary>A DNS server as <c>address</c>, <c>address:port</c> or <c>[v6address]:port</c>; port 53 when none is given.</summary>
    public static bool TryParseResolver(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (!IPEndPoint.TryParse(text.Trim(), out var parsed))
        {
            return false;
        }

        if (parsed.Port == 0)
        {
            if (text.TrimEnd().EndsWith(":0", StringComparison.Ordinal))
            {
                return false; // an explicit port 0
            }

            parsed = new IPEndPoint(parsed.Address, 53);
        }

        endPoint = parsed;
        return true;
    }

    /// <summary>The metadata that carries these settings on a YARP destination.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        yield return KeyValuePair.Create(MinTtlKey, ((long)MinTtl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        yield return KeyValuePair.Create(MaxTtlKey, ((long)MaxTtl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        yield return KeyValuePair.Create(ResolversKey, string.Join(',', Resolvers.Select(r => r.ToString())));
        yield return KeyValuePair.Create(SrvKey, Srv ? "true" : "false");
        if (Host is not null)
        {
            yield return KeyValuePair.Create(HostKey, Host);
        }
    }

    /// <summary>The settings a destination's metadata carries; null for a destination not resolved by DNS.</summary>
    public static DnsDestinationSettings? FromMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue(MinTtlKey, out var min) || !metadata.TryGetValue(MaxTtlKey, out var max)
            || !long.TryParse(min, CultureInfo.InvariantCulture, out var minMs) || !long.TryParse(max, CultureInfo.InvariantCulture, out var maxMs))
        {
            return null;
        }

        var resolvers = metadata.GetValueOrDefault(ResolversKey, "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => IPEndPoint.TryParse(r, out var endPoint) ? endPoint : null)
            .OfType<IPEndPoint>()
            .ToList();
        return new(TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs), resolvers,
            metadata.GetValueOrDefault(SrvKey) == "true", metadata.GetValueOrDefault(HostKey));
    }

    /// <summary>What makes two lookups the same one: a name is looked up once for every destination that shares these.</summary>
    public string LookupKey(string name) =>
        string.Join('|', name.ToLowerInvariant(), Srv ? "srv" : "a", string.Join(',', Resolvers), MinTtl.Ticks, MaxTtl.Ticks);
}
