using Gatehouse.Runtime;
using Yarp.ReverseProxy;

namespace Gatehouse.Admin;

/// <summary>
/// <c>POST /destinations/CLUSTER/DESTINATION/drain|disable|enable</c>: takes a destination out of rotation or puts it
/// back (<see cref="DestinationControls"/>). An unknown cluster or destination is a 404 that lists the names that exist.
/// </summary>
internal static class AdminDestinations
{
    public const string Prefix = "/destinations/";

    public static readonly IReadOnlyDictionary<string, DestinationMode> Actions = new Dictionary<string, DestinationMode>(StringComparer.Ordinal)
    {
        ["drain"] = DestinationMode.Draining,
        ["disable"] = DestinationMode.Disabled,
        ["enable"] = DestinationMode.Active,
    };

    /// <summary>Splits <c>/destinations/CLUSTER/DESTINATION/ACTION</c>; null when the path has another shape.</summary>
    public static (string Cluster, string Destination, string Action)? Parse(string path)
    {
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = path[Prefix.Length..].Split('/');
        return parts.Length == 3 && parts.All(p => p.Length > 0) ? (parts[0], parts[1], parts[2]) : null;
    }

    public static (int Status, object Body) Apply(string clusterId, string destinationId, string action, IProxyStateLookup proxyState, DestinationControls controls)
    {
        if (!Actions.TryGetValue(action, out var mode))
        {
            return (StatusCodes.Status404NotFound, new AdminUnknownAction($"no destination action '{action}'", Actions.Keys));
        }

        if (!proxyState.TryGetCluster(clusterId, out var cluster))
        {
            return (StatusCodes.Status404NotFound, new AdminUnknownCluster(
                $"no cluster '{clusterId}'",
                proxyState.GetClusters().Select(c => c.ClusterId).Order(StringComparer.Ordinal)));
        }

        if (!cluster.Destinations.TryGetValue(destinationId, out var destination))
        {
            // A configured destination that DNS discovery expanded into one per address (docs/dns.md): its id takes
            // them all out of rotation (Forwarding/DestinationRotation follows the configured id).
            var expanded = cluster.Destinations.Values
                .Where(d => d.Model?.Config.Metadata?.GetValueOrDefault(DestinationMetadata.ConfiguredId) is { } configured
                    && string.Equals(configured, destinationId, StringComparison.OrdinalIgnoreCase))
                .OrderBy(d => d.DestinationId, StringComparer.Ordinal)
                .ToList();
            if (expanded.Count > 0)
            {
                controls.Set(cluster.ClusterId, destinationId, mode);
                return (StatusCodes.Status200OK, new AdminDiscoveredDestinationsChanged(
                    cluster.ClusterId,
                    destinationId,
                    expanded.Select(d => AdminStatus.Destination(cluster.ClusterId, d, controls))));
            }

            return (StatusCodes.Status404NotFound, new AdminUnknownDestination(
                $"no destination '{destinationId}' in cluster '{cluster.ClusterId}'",
                cluster.Destinations.Keys.Order(StringComparer.Ordinal)));
        }

        controls.Set(cluster.ClusterId, destination.DestinationId, mode);
        return (StatusCodes.Status200OK, new AdminDestinationChanged(cluster.ClusterId, AdminStatus.Destination(cluster.ClusterId, destination, controls)));
    }
}
