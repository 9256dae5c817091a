using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    /// <summary>Listeners that accept the PROXY protocol, and clusters and destinations that send it (docs/proxy-protocol.md).</summary>
    private static void ValidateProxyProtocol(List<ConfigError> errors, GatehouseConfig config)
    {
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            if (config.Listeners[i]?.ProxyProtocol is not { } accept)
            {
                continue;
            }

            var path = $"listeners[{i}].proxyProtocol";
            Unknown(errors, path, accept);
            if (accept.TrustedSenders is not { Count: > 0 })
            {
                // HAProxy's accept-proxy believes any peer; here a listener names the ones it believes, or none can connect.
                errors.Add(new($"{path}.trustedSenders", "required: the addresses or CIDRs of the load balancers that send the header"));
            }
            else
            {
                Networks(errors, $"{path}.trustedSenders", accept.TrustedSenders);
            }

            PositiveDuration(errors, $"{path}.headerTimeout", accept.HeaderTimeout);
        }

        foreach (var (id, cluster) in config.Clusters)
        {
            if (cluster is null)
            {
                continue;
            }

            if (cluster.ProxyProtocol is { } version && ProxyProtocolVersions.Parse(version) is not (1 or 2))
            {
                errors.Add(new($"clusters.{id}.proxyProtocol", $"'{version}' is not {ProxyProtocolVersions.V1} or {ProxyProtocolVersions.V2}"));
            }

            foreach (var (destinationId, destination) in cluster.Destinations)
            {
                if (destination?.ProxyProtocol is { } own && ProxyProtocolVersions.Parse(own) is null)
                {
                    errors.Add(new($"clusters.{id}.destinations.{destinationId}.proxyProtocol",
                        $"'{own}' is not {ProxyProtocolVersions.V1}, {ProxyProtocolVersions.V2} or {ProxyProtocolVersions.None}"));
                }
            }
        }
    }
}
