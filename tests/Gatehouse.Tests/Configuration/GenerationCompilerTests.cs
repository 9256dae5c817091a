using Gatehouse.Lifecycle;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Health;
using Gatehouse.LoadBalancing;
using Gatehouse.Protection;
using Gatehouse.Runtime;

namespace Gatehouse.Tests.Configuration;

public class GenerationCompilerTests
{
    [Fact]
    public void From_DestinationWeights_LookedUpCaseInsensitivelyWithOneForUnknown()
    {
        var cluster = SampleConfig.Cluster with
        {
            Destinations = SampleConfig.Destinations(SampleConfig.Destination with { Weight = 3 }, SampleConfig.Destination),
        };

        var settings = ClusterBalancing.From(cluster);

        Assert.Equal(3, settings.WeightOf("d1"));
        Assert.Equal(3, settings.WeightOf("D1"));
        Assert.Equal(1, settings.WeightOf("d2"));
        Assert.Equal(1, settings.WeightOf("gone"));
    }

    [Fact]
    public void From_RetrySettings_GivesPolicyWithRatioFromPercent()
    {
        var cluster = SampleConfig.WithRetry(new()
        {
            MaxAttempts = 4,
            Statuses = [429, 502],
            Budget = new() { Percent = 25, MinRetriesPerSecond = 3, Window = Duration.Parse("30s") },
        });

        var retry = RetryPolicy.From(cluster);

        Assert.Equal(4, retry.MaxAttempts);
        Assert.Equal([429, 502], retry.Statuses.Order());
        Assert.Equal(new RetryBudgetSettings(0.25, 3, TimeSpan.FromSeconds(30)), retry.Budget);
    }

    [Fact]
    public void From_RetryDisabled_GivesOneAttempt()
    {
        var retry = RetryPolicy.From(SampleConfig.WithRetry(new() { Enabled = false, MaxAttempts = 5 }));

        Assert.Equal(1, retry.MaxAttempts);
    }

    [Fact]
    public void From_HealthSettings_AreCarriedOver()
    {
        var cluster = SampleConfig.WithHealth(new()
        {
            Active = new() { HealthyThreshold = 3, UnhealthyThreshold = 4 },
            Passive = new() { ConsecutiveFailures = 7, CountServerErrors = false, ReactivationPeriod = Duration.Parse("1m") },
        });

        Assert.Equal(new ActiveHealthThresholds(3, 4), ActiveHealthThresholds.From(cluster));
        Assert.Equal(new PassiveHealthSettings(7, false, TimeSpan.FromMinutes(1)), PassiveHealthSettings.From(cluster));
    }

    [Fact]
    public void From_HashKey_IsParsed()
    {
        var settings = ClusterBalancing.From(SampleConfig.Cluster with { LoadBalancingPolicy = "ConsistentHash", HashKey = "header:X-User" });

        Assert.Equal(new HashKey(HashKeySource.Header, "X-User"), settings.HashKey);
    }

    [Fact]
    public void Default_MatchesDocumentedDefaults()
    {
        Assert.Equal(HashKey.ClientIp, ClusterBalancing.Default.HashKey);
        Assert.Empty(ClusterBalancing.Default.Weights);
        Assert.Equal(3, RetryPolicy.Default.MaxAttempts);
        Assert.Equal([502, 503, 504], RetryPolicy.Default.Statuses.Order());
        Assert.Equal(new RetryBudgetSettings(0.2, 10, TimeSpan.FromSeconds(10)), RetryPolicy.Default.Budget);
        Assert.Equal(new PassiveHealthSettings(5, true, TimeSpan.FromSeconds(10)), PassiveHealthSettings.Default);
        Assert.Equal(new ActiveHealthThresholds(1, 2), ActiveHealthThresholds.Default);
    }

    [Fact]
    public void From_Route_CarriesTimeoutAndRetrySettings()
    {
        var route = RouteForwarding.From(SampleConfig.Route with
        {
            Timeout = Duration.Parse("15s"),
            Retry = new() { AllowUnsafeMethods = true, MaxBufferedBodyBytes = 1024 },
        });

        Assert.Equal(new RouteForwarding(TimeSpan.FromSeconds(15), true, 1024), route);
    }

    [Fact]
    public void From_RouteDefaults_NoTimeoutSafeMethodsOnly()
    {
        Assert.Equal(new RouteForwarding(null, false, 64 * 1024), RouteForwarding.From(SampleConfig.Route));
    }

    [Fact]
    public void From_Config_IndexesClustersAndRoutesCaseInsensitively()
    {
        var config = SampleConfig.Valid(cluster: SampleConfig.WithRetry(new() { MaxAttempts = 2 }));

        var generation = GenerationCompiler.Compile(config, revision: 7);

        Assert.Same(config, generation.Config);
        Assert.Equal(7, generation.Revision);
        Assert.Equal(2, generation.Cluster<RetryPolicy>("API")!.MaxAttempts);
        Assert.True(generation.Routes.ContainsKey("WEB"));
        Assert.NotNull(generation.Routes["web"].Get<RouteForwarding>());
        Assert.NotNull(generation.Routes["web"].Get<RouteProtection>());
    }

    [Fact]
    public void Generation_UnknownClusterOrRoute_GivesNothing()
    {
        var generation = GenerationCompiler.Compile(SampleConfig.Valid(cluster: SampleConfig.WithRetry(new() { MaxAttempts = 2 })));

        Assert.Equal(2, generation.Cluster<RetryPolicy>("api")!.MaxAttempts);
        Assert.Null(generation.Cluster<RetryPolicy>("other"));
        Assert.Null(generation.Routes.GetValueOrDefault("other"));
    }
}
