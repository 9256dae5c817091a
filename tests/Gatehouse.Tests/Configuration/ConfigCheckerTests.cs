using Gatehouse.Configuration;
using Gatehouse.Hosting;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

/// <summary>The full check: Gatehouse's validator, then YARP's own over the mapped routes and clusters. No server is started.</summary>
public class ConfigCheckerTests
{
    private static readonly ConfigChecker Checker = GatehouseServiceCollectionExtensions.CreateStandaloneChecker();

    [Fact]
    public async Task CheckAsync_ValidConfig_PassesYarpValidation()
    {
        var config = SampleConfig.Valid(
            route: SampleConfig.Route with { Match = new() { PathPrefix = "/api", Headers = [new() { Name = "X-Version", Values = ["2"] }] } },
            cluster: SampleConfig.Cluster with
            {
                LoadBalancingPolicy = "ConsistentHash",
                HashKey = "path",
                SessionAffinity = new() { Enabled = true },
                HealthCheck = new() { WhenAllUnhealthy = AllUnhealthyModes.Fail, Active = new() { Enabled = true } },
                HttpRequest = new() { Version = "2" },
            });

        var result = await Checker.CheckAsync(new ConfigLoadResult(config, []));

        Assert.Empty(result.Errors);
        Assert.Same(config, result.Config);
    }

    [Theory]
    [InlineData("WeightedRoundRobin")]
    [InlineData("RoundRobin")]
    [InlineData("PowerOfTwoChoices")]
    public async Task CheckAsync_GatehouseAndYarpPolicies_AreRegistered(string policy)
    {
        var result = await Checker.CheckAsync(new ConfigLoadResult(SampleConfig.Valid(cluster: SampleConfig.Cluster with { LoadBalancingPolicy = policy }), []));

        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task CheckAsync_TemplateYarpRejects_ReportsRoutePath()
    {
        var config = SampleConfig.Valid(route: SampleConfig.WithMatch(new() { Path = "/{**a}/{**b}" }));

        var result = await Checker.CheckAsync(new ConfigLoadResult(config, []));

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path == "routes.web");
    }

    [Fact]
    public async Task CheckAsync_AlreadyInvalid_ReturnsTheSameErrors()
    {
        var loaded = new ConfigLoadResult(null, [new ConfigError("listeners", "at least one listener is required")]);

        Assert.Same(loaded, await Checker.CheckAsync(loaded));
    }
}
