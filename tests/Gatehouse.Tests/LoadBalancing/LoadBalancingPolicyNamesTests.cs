using Gatehouse.LoadBalancing;

namespace Gatehouse.Tests.LoadBalancing;

public class LoadBalancingPolicyNamesTests
{
    [Theory]
    [InlineData(null, "PowerOfTwoChoices")]
    [InlineData("roundrobin", "RoundRobin")]
    [InlineData("CONSISTENTHASH", "ConsistentHash")]
    [InlineData("WeightedRoundRobin", "WeightedRoundRobin")]
    public void Canonical_KnownInAnyCase_GivesCanonicalName(string? name, string expected)
    {
        Assert.Equal(expected, LoadBalancingPolicyNames.Canonical(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Fastest")]
    [InlineData("Round Robin")]
    public void Canonical_Unknown_GivesNull(string name)
    {
        Assert.Null(LoadBalancingPolicyNames.Canonical(name));
    }

    [Fact]
    public void All_MatchYarpBuiltInNames()
    {
        Assert.Contains(Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.PowerOfTwoChoices, LoadBalancingPolicyNames.All);
        Assert.Contains(Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.RoundRobin, LoadBalancingPolicyNames.All);
        Assert.Contains(Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.LeastRequests, LoadBalancingPolicyNames.All);
        Assert.Contains(Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.Random, LoadBalancingPolicyNames.All);
        Assert.Contains(Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.FirstAlphabetical, LoadBalancingPolicyNames.All);
    }
}
