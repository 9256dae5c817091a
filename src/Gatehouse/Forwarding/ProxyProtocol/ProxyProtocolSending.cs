using Gatehouse.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>
/// A cluster's PROXY protocol versions per destination (1, 2; destinations that send none are absent), compiled from
/// the cluster's and destinations' <c>proxyProtocol</c>. Null for a cluster where no destination sends it, so that
/// other clusters pay one lookup per request and nothing else.
/// </summary>
public sealed record ProxyProtocolSending(IReadOnlyDictionary<string, int> ByDestinationId, IReadOnlyDictionary<string, int> ByAuthority)
{
    public static ProxyProtocolSending? From(ClusterDefinition cluster)
    {
        var byId = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var byAuthority = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var clusterVersion = ProxyProtocolVersions.Parse(cluster.ProxyProtocol) ?? 0;
        foreach (var (id, destination) in cluster.Destinations)
        {
            var version = destination.ProxyProtocol is null ? clusterVersion : ProxyProtocolVersions.Parse(destination.ProxyProtocol) ?? 0;
            if (version == 0)
            {
                continue;
            }

            byId[id] = version;
            if (Uri.TryCreate(destination.Address, UriKind.Absolute, out var uri))
            {
                byAuthority.TryAdd(Authority(uri.IdnHost, uri.Port), version);
            }
        }

        return byId.Count == 0 ? null : new ProxyProtocolSending(byId, byAuthority);
    }

    /// <summary>The version for the destination YARP picked; 0 for none.</summary>
    public int VersionFor(string destinationId) => ByDestinationId.GetValueOrDefault(destinationId);

    /// <summary>The version for a connection to host:port (what a connect callback knows); 0 for none.</summary>
    public int VersionFor(string host, int port) => ByAuthority.GetValueOrDefault(Authority(host, port));

    private static string Authority(string host, int port) => host.Trim('[', ']') + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
