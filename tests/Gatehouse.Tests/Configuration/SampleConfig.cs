using Gatehouse.Configuration;

namespace Gatehouse.Tests.Configuration;

/// <summary>
/// A small valid config (one listener, route <c>web</c> to cluster <c>api</c> with destination <c>d1</c>) that a test
/// changes in one place with <c>with</c>, so each test shows only the setting it is about.
/// </summary>
internal static class SampleConfig
{
    public static RouteDefinition Route { get; } = new() { ClusterId = "api", Match = new RouteMatchDefinition { PathPrefix = "/" } };

    public static DestinationDefinition Destination { get; } = new() { Address = "http://127.0.0.1:5001" };

    public static ClusterDefinition Cluster { get; } = new() { Destinations = Destinations(Destination) };

    public static GatehouseConfig Valid(RouteDefinition? route = null, ClusterDefinition? cluster = null) => new()
    {
        Listeners = [new ListenerDefinition { Port = 8080 }],
        Routes = new Dictionary<string, RouteDefinition> { ["web"] = route ?? Route },
        Clusters = new Dictionary<string, ClusterDefinition> { ["api"] = cluster ?? Cluster },
    };

    /// <summary>Destinations named d1, d2, … in order.</summary>
    public static Dictionary<string, DestinationDefinition> Destinations(params DestinationDefinition[] destinations) =>
        destinations.Select((d, i) => (d, i)).ToDictionary(x => $"d{x.i + 1}", x => x.d);

    public static ClusterDefinition WithDestination(DestinationDefinition destination) => Cluster with { Destinations = Destinations(destination) };

    public static ClusterDefinition WithHealth(HealthCheckDefinition health) => Cluster with { HealthCheck = health };

    public static ClusterDefinition WithRetry(ClusterRetryDefinition retry) => Cluster with { Retry = retry };

    public static RouteDefinition WithMatch(RouteMatchDefinition match) => Route with { Match = match };
}
