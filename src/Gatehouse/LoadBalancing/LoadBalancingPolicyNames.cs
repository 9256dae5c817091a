

namespace Gatehouse.LoadBalancing;

/// <summary>The load-balancing policy names a cluster may use. YARP's built-in policies keep their YARP names (see Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies).</summary>
public static class LoadBalancingPolicyNames
{
    public const string PowerOfTwoChoices = "PowerOfTwoChoices";
    public const string RoundRobin = "RoundRobin";
    public const string LeastRequests = "LeastRequests";
    public const string Random = "Random";
    public const string FirstAlphabetical = "FirstAlphabetical";
    public const string WeightedRoundRobin = "WeightedRoundRobin";
    public const string ConsistentHash = "ConsistentHash";

    public const string Default = PowerOfTwoChoices;

    public static IReadOnlyList<string> All { get; } =
        [PowerOfTwoChoices, RoundRobin, WeightedRoundRobin, LeastRequests, Random, ConsistentHash, FirstAlphabetical];

    /// <summary>The canonical spelling of a policy name given in any case, or null when there is no such policy.</summary>
    public static string? Canonical(string? name) =>
        name is null ? Default : All.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
}
