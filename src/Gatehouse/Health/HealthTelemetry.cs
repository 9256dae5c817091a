using System.Diagnostics.Metrics;
using Gatehouse.Http;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Health;

/// <summary>Passive ejections as they happen, by the config's cluster and destination ids.</summary>
internal sealed class HealthTelemetry(IMeterFactory meters)
{
    private readonly Counter<long> _ejections = meters.Create(GatehouseTelemetry.MeterName).CreateCounter<long>("gatehouse.destination.ejections", "{ejection}",
        "Destinations taken out of rotation by passive health (consecutive failures), by cluster and destination.");

    public void Ejected(string cluster, string destination) =>
        _ejections.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("destination", destination));
}

/// <summary>
/// Read from YARP's live state at each scrape (nothing per request): each destination's active and passive health and
/// its requests in flight. Apart from <see cref="HealthTelemetry"/>, which the passive policy uses: YARP's config
/// validator needs the policy, and the proxy state needs the validator.
/// </summary>
internal sealed class DestinationGauges
{
    public DestinationGauges(IMeterFactory meters, IProxyStateLookup proxyState)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        meter.CreateObservableGauge("gatehouse.destination.health", () => Health(proxyState), "{state}",
            "Destination health per check (active, passive): 1 healthy, 0 unknown (not checked), -1 unhealthy.");
        meter.CreateObservableGauge("gatehouse.destination.requests.in_flight", () => InFlight(proxyState), "{request}",
            "Requests being forwarded to each destination now.");
    }

    private static IEnumerable<Measurement<int>> Health(IProxyStateLookup proxyState)
    {
        foreach (var cluster in proxyState.GetClusters())
        {
            foreach (var destination in cluster.Destinations.Values)
            {
                yield return new(Value(destination.Health.Active), Labels(cluster, destination, "active"));
                yield return new(Value(destination.Health.Passive), Labels(cluster, destination, "passive"));
            }
        }
    }

    private static IEnumerable<Measurement<int>> InFlight(IProxyStateLookup proxyState) =>
        proxyState.GetClusters().SelectMany(cluster => cluster.Destinations.Values.Select(destination => new Measurement<int>(
            destination.ConcurrentRequestCount,
            new KeyValuePair<string, object?>("cluster", cluster.ClusterId),
            new KeyValuePair<string, object?>("destination", destination.DestinationId))));

    private static int Value(DestinationHealth health) => health switch
    {
        DestinationHealth.Healthy => 1,
        DestinationHealth.Unhealthy => -1,
        _ => 0,
    };

    private static KeyValuePair<string, object?>[] Labels(ClusterState cluster, DestinationState destination, string check) =>
    [
        new("cluster", cluster.ClusterId),
        new("destination", destination.DestinationId),
        new("check", check),
    ];
}
