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
/// With <c>outlierDetection</c> on, each interval also ejects destinations by error rate and latency
/// (<see cref="OutlierDecisions"/>), and no ejection of either kind takes the cluster past <c>maxEjectionPercent</c>.
/// </summary>
internal sealed class ConsecutiveFailuresPassivePolicy(IDestinationHealthUpdater healthUpdater, GenerationHolder settings, HealthTelemetry telemetry, TimeProvider time) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "Gatehouse.ConsecutiveFailures";

    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _failures = new();
    private readonly ConditionalWeakTable<ClusterState, OutlierWindow> _windows = new();

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

        var outliers = settings.Current.Cluster<OutlierSettings>(cluster.ClusterId);
        if (outliers is not null)
        {
            JudgeOutliers(context, cluster, destination, failed, outliers);
        }

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
            if (outliers is null || Allowance(cluster, outliers) > 0)
            {
                healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, passive.ReactivationPeriod);
                telemetry.Ejected(cluster.ClusterId, destination.DestinationId);
            }
        }
    }

    private void JudgeOutliers(HttpContext context, ClusterState cluster, DestinationState destination, bool failed, OutlierSettings outliers)
    {
        var latency = context.Features.Get<ForwardingState>()?.LastAttemptTime ?? TimeSpan.Zero;
        var window = _windows.GetValue(cluster, _ => new OutlierWindow(time));
        if (window.Record(destination, failed, latency, outliers.Interval) is not { } samples)
        {
            return;
        }

        var ejected = OutlierDecisions.Outliers(samples.Select(s => s.Sample).ToList(), outliers, Allowance(cluster, outliers));
        foreach (var (state, sample) in samples)
        {
            if (ejected.Contains(sample.DestinationId) && state.Health.Passive != DestinationHealth.Unhealthy)
            {
                healthUpdater.SetPassive(cluster, state, DestinationHealth.Unhealthy, outliers.EjectionTime);
                telemetry.Ejected(cluster.ClusterId, state.DestinationId);
            }
        }
    }

    /// <summary>How many more destinations of <paramref name="cluster"/> may be ejected under maxEjectionPercent.</summary>
    private static int Allowance(ClusterState cluster, OutlierSettings outliers)
    {
        var ejected = 0;
        foreach (var destination in cluster.Destinations.Values)
        {
            if (destination.Health.Passive == DestinationHealth.Unhealthy)
            {
                ejected++;
            }
        }

        return OutlierDecisions.EjectionAllowance(cluster.Destinations.Count, ejected, outliers.MaxEjectionPercent);
    }
}
