using System.Globalization;
using Gatehouse.Configuration;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Model;

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

    /// <summary>
    /// The cluster metadata key under which YARP's client for the cluster learns the versions per authority
    /// (<c>host:port=2;…</c>): its connect callback writes the header (<see cref="ProxyProtocolConnect"/>).
    /// </summary>
    public const string Metadata = "Gatehouse.ProxyProtocol";

    /// <summary>The version for the destination this request was sent to; 0 for none (or a request outside Gatehouse's routes).</summary>
    public static int VersionFor(HttpContext context) =>
        RouteRuntime.Of(context) is { } runtime
        && context.Features.Get<IReverseProxyFeature>() is { Cluster: { } cluster, ProxiedDestination: { } destination }
        && runtime.Generation.Cluster<ProxyProtocolSending>(cluster.Config.ClusterId) is { } sending
            ? sending.VersionFor(destination.DestinationId)
            : 0;

    /// <summary><paramref name="metadata"/> with the cluster's versions per authority added, when it sends the header at all.</summary>
    public static Dictionary<string, string> AddMetadata(Dictionary<string, string> metadata, ClusterDefinition cluster)
    {
        if (From(cluster) is { } sending)
        {
            metadata[Metadata] = string.Join(';', sending.ByAuthority.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));
        }

        return metadata;
    }

    /// <summary>The versions per authority from <see cref="Metadata"/>'s value.</summary>
    public static Dictionary<string, int> ParseMetadata(string value)
    {
        var versions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.LastIndexOf('=');
            if (equals > 0 && int.TryParse(entry.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                versions[entry[..equals]] = version;
            }
        }

        return versions;
    }

    /// <summary>The version for the destination YARP picked; 0 for none.</summary>
    public int VersionFor(string destinationId) => ByDestinationId.GetValueOrDefault(destinationId);

    /// <summary>The version for a connection to host:port (what a connect callback knows); 0 for none.</summary>
    public int VersionFor(string host, int port) => ByAuthority.GetValueOrDefault(Authority(host, port));

    internal static string Authority(string host, int port) => host.Trim('[', ']') + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
