using System.Runtime.CompilerServices;
using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Health;

/// <summary>
/// Passive health (outlier detection): a destination that fails N requests in a row (connect errors, resets, timeouts and,
/// by default, 5xx answers) is ejected for the reactivation period, like Envoy's consecutive_5xx and nginx's max_fails.
/// </summary>
internal sealed class ConsecutiveFailuresPassivePolicy(IDestinationHealthUpdater healthUpdater, GenerationHolder settings, HealthTelemetry telemetry) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "Gatehouse.ConsecutiveFailures";

    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _failures = new();

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var passive = settings.Current.Cluster<PassiveHealthSettings>(cluster.ClusterId) ?? PassiveHealthSettings.Default;
        var error = context.Features.Get<IForwarderErrorFeature>()?.Error;
        var failed = HealthDecisions.IsPassiveFailure(
            transportError: error is not null and not ForwarderError.None,
            clientCanceled: ((error is { } e && ForwarderErrors.IsClientSide(e)) || context.RequestAborted.IsCancellationRequested) && context.Features.Get<ForwardingState>()?.TimeoutFired != true,
            context.Response.StatusCode,
            passive.CountServerErrors);

        var box = _failures.GetValue(destination, static _ => new StrongBox<int>());
        if (!failed)
        {
            if (Volatile.Read(ref box.Value) != 0)
            {
                Volatile.Write(ref box.Value, 0);
            }

            return;
        }

        if (Interlocked.Increment(ref box.Value) >= passive.ConsecutiveFailures)
        {
            Volatile.Write(ref box.Value, 0);
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, passive.ReactivationPeriod);
            telemetry.Ejected(cluster.ClusterId, destination.DestinationId);
        }
    }
}
