using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Discovery;

/// <summary>The pure parts of DNS discovery: when to look again, which SRV records count, and the destinations an answer makes.</summary>
public static class DnsDecisions
{
    /// <summary>When to look the name up again: the answer's TTL, kept between the configured minimum and maximum.</summary>
    public static TimeSpan RefreshAfter(TimeSpan ttl, TimeSpan minTtl, TimeSpan maxTtl) =>
        ttl < minTtl ? minTtl : ttl > maxTtl ? maxTtl : ttl;

    /// <summary>
    /// After a failed lookup the last good answer stays; the next try comes after the minimum TTL, so an outage is noticed
    /// to be over quickly without querying a dead server in a loop.
    /// </summary>
    public static TimeSpan RetryAfterFailure(TimeSpan minTtl) => minTtl;

    /// <summary>
    /// The SRV records to use (RFC 2782): those of the lowest priority value; the others are backups for when those are
    /// gone from DNS. A weight of 0 still gets a little traffic (weight 1), as the RFC asks for "a very small chance".
    /// </summary>
    public static IReadOnlyList<(string Target, int Port, int Weight)> UsableSrv(IEnumerable<(string Target, int Port, int Priority, int Weight)> records)
    {
        var list = records.Where(r => r.Target is not ("" or ".")).ToList();
        if (list.Count == 0)
        {
            return [];
        }

        var best = list.Min(r => r.Priority);
        return list.Where(r => r.Priority == best).Select(r => (r.Target.TrimEnd('.'), r.Port, Math.Max(1, r.Weight))).ToList();
    }

    /// <summary>
    /// The destinations configured destination <paramref name="id"/> stands for under <paramref name="answer"/>: one per
    /// address, named <c>id[address]</c> (<c>id[address:port]</c> with SRV) so an address that stays keeps its id, and with
    /// it YARP's health and load-balancing state. The Host header stays the configured name unless <c>dns.host</c> says
    /// otherwise (empty: the address itself).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, DestinationConfig>> Expand(string id, DestinationConfig configured, DnsDestinationSettings settings, DnsAnswer answer)
    {
        var uri = new Uri(configured.Address);
        var weight = DestinationMetadata.WeightOf(configured.Metadata) ?? 1;
        foreach (var resolved in answer.Addresses)
        {
            var port = resolved.Port ?? uri.Port;
            var host = resolved.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{resolved.Address}]" : resolved.Address.ToString();
            var name = resolved.Port is null ? $"{id}[{resolved.Address}]" : $"{id}[{host}:{port.ToString(CultureInfo.InvariantCulture)}]";
            var metadata = new Dictionary<string, string>(configured.Metadata ?? new Dictionary<string, string>())
            {
                [DestinationMetadata.Weight] = (resolved.Port is null ? weight : resolved.Weight).ToString(CultureInfo.InvariantCulture),
                [DestinationMetadata.ConfiguredId] = id,
            };
            yield return KeyValuePair.Create(name, configured with
            {
                Address = WithAuthority(uri, resolved.Address.ToString(), port),
                Health = configured.Health is { } health && SameHost(new Uri(health), uri) ? WithAuthority(new Uri(health), resolved.Address.ToString(), resolved.Port ?? new Uri(health).Port) : configured.Health,
                Host = HostHeader(settings.Host, uri, resolved, port),
                Metadata = metadata,
            });
        }
    }

    private static string? HostHeader(string? configured, Uri uri, ResolvedAddress resolved, int port) => configured switch
    {
        "" => null, // the address: what HttpClient and the lean path send for the destination's URI
        { } host => host,
        // The name as configured (with its port when not the scheme's default); for SRV the record's target and port.
        _ when resolved.Target is { } target => port == DefaultPort(uri.Scheme) ? target : $"{target}:{port.ToString(CultureInfo.InvariantCulture)}",
        _ => uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}",
    };

    private static int DefaultPort(string scheme) => scheme == Uri.UriSchemeHttps ? 443 : 80;

    private static bool SameHost(Uri a, Uri b) => string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    private static string WithAuthority(Uri uri, string host, int port) =>
        new UriBuilder(uri) { Host = host, Port = port }.Uri.ToString();

    /// <summary>
    /// Whether a configured address names a host to resolve (not an IP address literal). SRV names (<c>_http._tcp.…</c>)
    /// are not host names to <see cref="Uri"/> (it calls them "basic"), but are names all the same.
    /// </summary>
    public static bool NamesAHost(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.HostNameType is UriHostNameType.Dns or UriHostNameType.Basic
        && uri.Host.Length > 0 && !IPAddress.TryParse(uri.Host, out _);
}
