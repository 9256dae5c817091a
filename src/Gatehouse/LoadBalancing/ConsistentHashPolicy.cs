using System.Runtime.CompilerServices;
using Gatehouse.Configuration;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.LoadBalancing;

/// <summary>
/// Consistent hashing on a request key. The ring holds every destination of the cluster, healthy or not, so that a
/// destination going down only moves its own keys: the walk clockwise skips members that are not available.
/// A request without the key (no such header or cookie) goes to a random available destination.
/// </summary>
internal sealed class ConsistentHashPolicy(GenerationHolder settings) : ILoadBalancingPolicy
{
    private readonly ConditionalWeakTable<ClusterState, CachedRing> _rings = new();

    public string Name => LoadBalancingPolicyNames.ConsistentHash;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }

        var clusterSettings = settings.For(context).Cluster<ClusterBalancing>(cluster.ClusterId) ?? ClusterBalancing.Default;
        var key = HashKeyReader.Read(context, clusterSettings.HashKey);
        if (key.IsEmpty)
        {
            return availableDestinations[System.Random.Shared.Next(availableDestinations.Count)];
        }

        var all = cluster.DestinationsState.AllDestinations;
        var ring = RingFor(cluster, all, clusterSettings);
        var owner = ring.Locate(HashRing.Hash(key), (ring, availableDestinations), static (index, s) => Contains(s.availableDestinations, s.ring.Members[index]));
        if (owner < 0)
        {
            return availableDestinations[0];
        }

        var id = ring.Members[owner];
        foreach (var destination in availableDestinations)
        {
            if (string.Equals(destination.DestinationId, id, StringComparison.OrdinalIgnoreCase))
            {
                return destination;
            }
        }

        return availableDestinations[0];
    }

    private static bool Contains(IReadOnlyList<DestinationState> destinations, string id)
    {
        foreach (var destination in destinations)
        {
            if (string.Equals(destination.DestinationId, id, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private HashRing RingFor(ClusterState cluster, IReadOnlyList<DestinationState> all, ClusterBalancing clusterSettings)
    {
        if (_rings.TryGetValue(cluster, out var cached) && ReferenceEquals(cached.Destinations, all) && ReferenceEquals(cached.Settings, clusterSettings))
        {
            return cached.Ring;
        }

        var ring = new HashRing(all.Select(d => (d.DestinationId, clusterSettings.WeightOf(d))).ToList());
        _rings.AddOrUpdate(cluster, new CachedRing(all, clusterSettings, ring));
        return ring;
    }

    private sealed record CachedRing(IReadOnlyList<DestinationState> Destinations, ClusterBalancing Settings, HashRing Ring);
}

/// <summary>Reads the configured hash key from a request.</summary>
internal static class HashKeyReader
{
    public static ReadOnlySpan<char> Read(HttpContext context, HashKey key) => key.Source switch
    {
        HashKeySource.ClientIp => context.Connection.RemoteIpAddress?.ToString(),
        HashKeySource.Path => context.Request.Path.Value,
        HashKeySource.Header => context.Request.Headers[key.Name!].ToString(),
        HashKeySource.Cookie => context.Request.Cookies[key.Name!],
        _ => null,
    };
}
