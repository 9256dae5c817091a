using Gatehouse.Configuration;
using Gatehouse.LoadBalancing;

namespace Gatehouse.Tests.Configuration;

public class RuntimeSettingsTests
{
    [Fact]
    public void From_DestinationWeights_LookedUpCaseInsensitivelyWithOneForUnknown()
    {
        var cluster = SampleConfig.Cluster with
        {
            Destinations = SampleConfig.Destinations(SampleConfig.Destination with { Weight = 3 }, SampleConfig.Destination),
        };

        var settings = ClusterRuntimeSettings.From(cluster);

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

        var retry = ClusterRuntimeSettings.From(cluster).Retry;

        Assert.Equal(4, retry.MaxAttempts);
        Assert.Equal([429, 502], retry.Statuses.Order());
        Assert.Equal(new RetryBudgetSettings(0.25, 3, TimeSpan.FromSeconds(30)), retry.Budget);
    }

    [Fact]
    public void From_RetryDisabled_GivesOneAttempt()
    {
        var retry = ClusterRuntimeSettings.From(SampleConfig.WithRetry(new() { Enabled = false, MaxAttempts = 5 })).Retry;

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

        var settings = ClusterRuntimeSettings.From(cluster);

        Assert.Equal(new ActiveHealthThresholds(3, 4), settings.ActiveHealth);
        Assert.Equal(new PassiveHealthSettings(7, false, TimeSpan.FromMinutes(1)), settings.PassiveHealth);
    }

    [Fact]
    public void From_HashKey_IsParsed()
    {
        var settings = ClusterRuntimeSettings.From(SampleConfig.Cluster with { LoadBalancingPolicy = "ConsistentHash", HashKey = "header:X-User" });

        Assert.Equal(new HashKey(HashKeySource.Header, "X-User"), settings.HashKey);
    }

    [Fact]
    public void Default_MatchesDocumentedDefaults()
    {
        var settings = ClusterRuntimeSettings.Default;

        Assert.Equal(HashKey.ClientIp, settings.HashKey);
        Assert.Empty(settings.Weights);
        Assert.Equal(3, settings.Retry.MaxAttempts);
        Assert.Equal([502, 503, 504], settings.Retry.Statuses.Order());
        Assert.Equal(new RetryBudgetSettings(0.2, 10, TimeSpan.FromSeconds(10)), settings.Retry.Budget);
        Assert.Equal(new PassiveHealthSettings(5, true, TimeSpan.FromSeconds(10)), settings.PassiveHealth);
        Assert.Equal(new ActiveHealthThresholds(1, 2), settings.ActiveHealth);
    }

    [Fact]
    public void From_Route_CarriesTimeoutAndRetrySettings()
    {
        var route = RouteRuntimeSettings.From(SampleConfig.Route with
        {
            Timeout = Duration.Parse("15s"),
            Retry = new() { AllowUnsafeMethods = true, MaxBufferedBodyBytes = 1024 },
        });

        Assert.Equal(new RouteRuntimeSettings(TimeSpan.FromSeconds(15), true, 1024), route);
    }

    [Fact]
    public void From_RouteDefaults_NoTimeoutSafeMethodsOnly()
    {
        Assert.Equal(new RouteRuntimeSettings(null, false, 64 * 1024), RouteRuntimeSettings.From(SampleConfig.Route));
    }

    [Fact]
    public void From_Config_IndexesClustersAndRoutesCaseInsensitively()
    {
        var config = SampleConfig.Valid(cluster: SampleConfig.WithRetry(new() { MaxAttempts = 2 }));

        var settings = RuntimeSettings.From(config);

        Assert.Same(config, settings.Config);
        Assert.Equal(2, settings.Clusters["API"].Retry.MaxAttempts);
        Assert.True(settings.Routes.ContainsKey("WEB"));
    }

    [Fact]
    public void Holder_UnknownClusterOrRoute_GivesDefaultsAndNull()
    {
        var holder = new RuntimeSettingsHolder();
        holder.Swap(RuntimeSettings.From(SampleConfig.Valid(cluster: SampleConfig.WithRetry(new() { MaxAttempts = 2 }))));

        Assert.Equal(2, holder.Cluster("api").Retry.MaxAttempts);
        Assert.Same(ClusterRuntimeSettings.Default, holder.Cluster("other"));
        Assert.NotNull(holder.Route("web"));
        Assert.Null(holder.Route("other"));
    }
}
