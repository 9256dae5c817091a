using Gatehouse.Runtime;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.LoadBalancing;

/// <summary>
/// The step of YARP's proxy pipeline in front of load balancing for clusters with <c>slowStart</c>. It observes every
/// destination's health (so <see cref="SlowStartTracker"/> sees one come back), and for policies without weights keeps a
/// ramping destination among the candidates only with its <see cref="SlowStartRamp.AdmissionChance"/>. WeightedRoundRobin
/// scales the weight itself (exact shares); ConsistentHash is left alone, as moving keys would defeat it.
/// </summary>
public sealed class SlowStartFilter(SlowStartTracker tracker, Func<double> random)
{
    public SlowStartFilter(SlowStartTracker tracker)
        : this(tracker, Random.Shared.NextDouble)
    {
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var proxy = context.GetReverseProxyFeature();
        var balancing = RouteRuntime.Of(context)?.Generation.Cluster<ClusterBalancing>(proxy.Cluster.Config.ClusterId);
        if (balancing?.SlowStart is { } period)
        {
            foreach (var destination in proxy.AllDestinations)
            {
                tracker.Observe(destination);
            }

            var policy = LoadBalancingPolicyNames.Canonical(proxy.Cluster.Config.LoadBalancingPolicy);
            if (policy is not (LoadBalancingPolicyNames.WeightedRoundRobin or LoadBalancingPolicyNames.ConsistentHash))
            {
                proxy.AvailableDestinations = Admit(proxy.AvailableDestinations, period);
            }
        }

        return next(context);
    }

    /// <summary>The candidates a request keeps: each ramping one with its admission chance, never none.</summary>
    public IReadOnlyList<DestinationState> Admit(IReadOnlyList<DestinationState> candidates, TimeSpan period)
    {
        if (candidates.Count < 2)
        {
            return candidates;
        }

        Span<double> factors = candidates.Count <= 64 ? stackalloc double[candidates.Count] : new double[candidates.Count];
        var largest = 0.0;
        var ramping = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            factors[i] = tracker.Factor(candidates[i], period);
            largest = Math.Max(largest, factors[i]);
            ramping |= factors[i] < 1;
        }

        if (!ramping)
        {
            return candidates;
        }

        var kept = new List<DestinationState>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            var chance = SlowStartRamp.AdmissionChance(factors[i], largest);
            if (chance >= 1 || random() < chance)
            {
                kept.Add(candidates[i]);
            }
        }

        return kept.Count == 0 ? candidates : kept;
    }
}
