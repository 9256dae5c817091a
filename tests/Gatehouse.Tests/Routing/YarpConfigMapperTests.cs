using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Health;
using Gatehouse.Lifecycle;
using Gatehouse.Routing;
using Gatehouse.Tests.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.SessionAffinity;

namespace Gatehouse.Tests.Routing;

public class YarpConfigMapperTests
{
    [Theory]
    [InlineData("/api", "/api/{**gatehouse_rest}")]
    [InlineData("/api/", "/api/{**gatehouse_rest}")]
    [InlineData("/a/b", "/a/b/{**gatehouse_rest}")]
    [InlineData("/", "/{**gatehouse_rest}")]
    public void MapRoute_PathPrefix_BecomesCatchAllTemplate(string prefix, string template)
    {
        var route = YarpConfigMapper.MapRoute("web", SampleConfig.WithMatch(new() { PathPrefix = prefix }));

        Assert.Equal(template, route.Match.Path);
    }

    [Fact]
    public void MapRoute_ForwardRawPath_IsRouteMetadata_SoThatChangingItRebuildsTheTransforms()
    {
        Assert.Null(YarpConfigMapper.MapRoute("web", SampleConfig.Route).Metadata);
        var route = YarpConfigMapper.MapRoute("web", SampleConfig.Route with { ForwardRawPath = true });

        Assert.Equal("true", route.Metadata![YarpConfigMapper.ForwardRawPathMetadata]);
    }

    [Fact]
    public void MapRoute_Path_IsUsedAsWritten()
    {
        var route = YarpConfigMapper.MapRoute("web", SampleConfig.WithMatch(new() { Path = "/items/{id}" }));

        Assert.Equal("/items/{id}", route.Match.Path);
    }

    [Fact]
    public void MapRoute_HostsOnly_HasNoPath()
    {
        var route = YarpConfigMapper.MapRoute("web", SampleConfig.WithMatch(new() { Hosts = ["example.com"] }));

        Assert.Null(route.Match.Path);
        Assert.Equal(["example.com"], route.Match.Hosts!);
    }

    [Fact]
    public void MapRoute_IdsOrderMethodsAndTransforms_AreCarriedOver()
    {
        var definition = SampleConfig.Route with
        {
            Order = 5,
            Match = new() { PathPrefix = "/api", Methods = ["GET", "PUT"] },
            Transforms = [new Dictionary<string, string> { ["pathRemovePrefix"] = "/api" }, new Dictionary<string, string> { ["RequestHeader"] = "X-A", ["Set"] = "1" }],
        };

        var route = YarpConfigMapper.MapRoute("web", definition);

        Assert.Equal("web", route.RouteId);
        Assert.Equal("api", route.ClusterId);
        Assert.Equal(5, route.Order);
        Assert.Equal(["GET", "PUT"], route.Match.Methods!);
        Assert.Equal(2, route.Transforms!.Count);
        Assert.Equal("/api", route.Transforms[0]["pathRemovePrefix"]);
        Assert.Equal("1", route.Transforms[1]["Set"]);
    }

    [Fact]
    public void MapRoute_TransformKeys_MatchedInAnyCaseAsYarpDoes()
    {
        var route = YarpConfigMapper.MapRoute("web", SampleConfig.Route with { Transforms = [new Dictionary<string, string> { ["pathRemovePrefix"] = "/api" }] });

        Assert.Equal("/api", route.Transforms![0]["PathRemovePrefix"]);
    }

    [Fact]
    public void MapRoute_NoTransforms_Null()
    {
        Assert.Null(YarpConfigMapper.MapRoute("web", SampleConfig.Route).Transforms);
    }

    [Fact]
    public void MapRoute_HeaderMatches_ModeParsedInAnyCase()
    {
        var definition = SampleConfig.WithMatch(new()
        {
            PathPrefix = "/",
            Headers =
            [
                new() { Name = "X-Version", Values = ["2", "3"], IsCaseSensitive = true },
                new() { Name = "X-Debug", Mode = "exists" },
                new() { Name = "User-Agent", Mode = "notcontains", Values = ["bot"] },
            ],
        });

        var headers = YarpConfigMapper.MapRoute("web", definition).Match.Headers!;

        Assert.Equal(3, headers.Count);
        Assert.Equal("X-Version", headers[0].Name);
        Assert.Equal(["2", "3"], headers[0].Values!);
        Assert.Equal(HeaderMatchMode.ExactHeader, headers[0].Mode);
        Assert.True(headers[0].IsCaseSensitive);
        Assert.Equal(HeaderMatchMode.Exists, headers[1].Mode);
        Assert.Null(headers[1].Values);
        Assert.False(headers[1].IsCaseSensitive);
        Assert.Equal(HeaderMatchMode.NotContains, headers[2].Mode);
    }

    [Fact]
    public void MapRoute_NoHeaders_HeadersNull()
    {
        Assert.Null(YarpConfigMapper.MapRoute("web", SampleConfig.Route).Match.Headers);
    }

    [Theory]
    [InlineData(null, "PowerOfTwoChoices")]
    [InlineData("weightedroundrobin", "WeightedRoundRobin")]
    [InlineData("CONSISTENTHASH", "ConsistentHash")]
    [InlineData("LeastRequests", "LeastRequests")]
    public void MapCluster_Policy_CanonicalName(string? policy, string expected)
    {
        var cluster = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster with { LoadBalancingPolicy = policy });

        Assert.Equal(expected, cluster.LoadBalancingPolicy);
    }

    [Fact]
    public void MapCluster_Destinations_AddressAndHealthCaseInsensitiveIds()
    {
        var cluster = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster with
        {
            Destinations = SampleConfig.Destinations(
                new() { Address = "http://127.0.0.1:5001", Health = "http://127.0.0.1:6001/" },
                new() { Address = "http://127.0.0.1:5002" }),
        });

        Assert.Equal("api", cluster.ClusterId);
        Assert.Equal(2, cluster.Destinations!.Count);
        Assert.Equal("http://127.0.0.1:5001", cluster.Destinations["D1"].Address);
        Assert.Equal("http://127.0.0.1:6001/", cluster.Destinations["d1"].Health);
        Assert.Null(cluster.Destinations["d2"].Health);
    }

    [Fact]
    public void MapCluster_SessionAffinityEnabled_GatehouseCookiePolicyWithConfiguredName()
    {
        var affinity = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster with { SessionAffinity = new() { Enabled = true, CookieName = "sticky" } }).SessionAffinity!;

        Assert.True(affinity.Enabled);
        Assert.Equal(Gatehouse.LoadBalancing.CookieAffinityPolicy.PolicyName, affinity.Policy);
        Assert.Equal(SessionAffinityConstants.FailurePolicies.Redistribute, affinity.FailurePolicy);
        Assert.Equal("sticky", affinity.AffinityKeyName);
        Assert.True(affinity.Cookie!.HttpOnly);
    }

    [Fact]
    public void MapCluster_SessionAffinityDisabled_IsNull()
    {
        Assert.Null(YarpConfigMapper.MapCluster("api", SampleConfig.Cluster).SessionAffinity);
    }

    [Fact]
    public void MapCluster_WhenAllUnhealthyPanic_HealthyOrPanic()
    {
        var cluster = YarpConfigMapper.MapCluster("api", SampleConfig.WithHealth(new() { WhenAllUnhealthy = AllUnhealthyModes.Panic }));

        Assert.Equal(HealthCheckConstants.AvailableDestinations.HealthyOrPanic, cluster.HealthCheck!.AvailableDestinationsPolicy);
    }

    [Fact]
    public void MapCluster_WhenAllUnhealthyFail_HealthyAndUnknown()
    {
        var cluster = YarpConfigMapper.MapCluster("api", SampleConfig.WithHealth(new() { WhenAllUnhealthy = AllUnhealthyModes.Fail }));

        Assert.Equal(HealthCheckConstants.AvailableDestinations.HealthyAndUnknown, cluster.HealthCheck!.AvailableDestinationsPolicy);
    }

    [Fact]
    public void MapCluster_ActiveHealthEnabled_UsesThresholdPolicyWithSettings()
    {
        var health = new HealthCheckDefinition
        {
            Active = new() { Enabled = true, Interval = Duration.Parse("15s"), Timeout = Duration.Parse("500ms"), Path = "/healthz" },
        };

        var active = YarpConfigMapper.MapCluster("api", SampleConfig.WithHealth(health)).HealthCheck!.Active!;

        Assert.True(active.Enabled);
        Assert.Equal(ThresholdActiveHealthPolicy.PolicyName, active.Policy);
        Assert.Equal(TimeSpan.FromSeconds(15), active.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), active.Timeout);
        Assert.Equal("/healthz", active.Path);
    }

    [Fact]
    public void MapCluster_ActiveHealthDisabled_IsNull()
    {
        Assert.Null(YarpConfigMapper.MapCluster("api", SampleConfig.Cluster).HealthCheck!.Active);
    }

    [Fact]
    public void MapCluster_PassiveHealthByDefault_UsesConsecutiveFailuresPolicy()
    {
        var passive = YarpConfigMapper.MapCluster("api", SampleConfig.WithHealth(new() { Passive = new() { ReactivationPeriod = Duration.Parse("2m") } })).HealthCheck!.Passive!;

        Assert.True(passive.Enabled);
        Assert.Equal(ConsecutiveFailuresPassivePolicy.PolicyName, passive.Policy);
        Assert.Equal(TimeSpan.FromMinutes(2), passive.ReactivationPeriod);
    }

    [Fact]
    public void MapCluster_PassiveHealthDisabled_IsNull()
    {
        Assert.Null(YarpConfigMapper.MapCluster("api", SampleConfig.WithHealth(new() { Passive = new() { Enabled = false } })).HealthCheck!.Passive);
    }

    [Fact]
    public void MapCluster_Timeouts_AsMillisecondMetadata()
    {
        var cluster = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster with
        {
            HttpClient = new() { ConnectTimeout = Duration.Parse("1.5s"), PooledConnectionIdleTimeout = Duration.Parse("2m") },
        });

        Assert.Equal("1500", cluster.Metadata![YarpConfigMapper.ConnectTimeoutMetadata]);
        Assert.Equal("120000", cluster.Metadata[YarpConfigMapper.PooledConnectionIdleTimeoutMetadata]);
    }

    [Fact]
    public void MapCluster_DefaultTimeouts_AsMillisecondMetadata()
    {
        var metadata = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster).Metadata!;

        Assert.Equal("5000", metadata[YarpConfigMapper.ConnectTimeoutMetadata]);
        // Issue 16: below the 5 s idle timeouts of Node.js, uvicorn and Apache, so Gatehouse closes an idle connection first.
        Assert.Equal("4000", metadata[YarpConfigMapper.PooledConnectionIdleTimeoutMetadata]);
        Assert.Equal(TimeSpan.FromSeconds(4), LeanForwarding.From(SampleConfig.Cluster, new GatehouseConfig { Forwarder = "lean" }).Options.IdleTimeout);
    }

    [Fact]
    public void MapCluster_HttpClientSettings_AreCarriedOver()
    {
        var client = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster with
        {
            HttpClient = new() { MaxConnectionsPerServer = 8, DangerousAcceptAnyServerCertificate = true, EnableMultipleHttp2Connections = false },
        }).HttpClient!;

        Assert.Equal(8, client.MaxConnectionsPerServer);
        Assert.True(client.DangerousAcceptAnyServerCertificate);
        Assert.False(client.EnableMultipleHttp2Connections);
    }

    [Theory]
    [InlineData("1.0", 1, 0)]
    [InlineData("1.1", 1, 1)]
    [InlineData("2", 2, 0)]
    [InlineData("2.0", 2, 0)]
    [InlineData("3", 3, 0)]
    public void MapCluster_HttpVersion_IsParsed(string text, int major, int minor)
    {
        var request = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster with { HttpRequest = new() { Version = text } }).HttpRequest!;

        Assert.Equal(new Version(major, minor), request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, request.VersionPolicy);
    }

    [Fact]
    public void MapCluster_ActivityTimeout_IsCarriedOver()
    {
        var request = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster with { HttpRequest = new() { ActivityTimeout = Duration.Parse("45s") } }).HttpRequest!;

        Assert.Equal(TimeSpan.FromSeconds(45), request.ActivityTimeout);
    }

    [Fact]
    public void Map_Config_GivesOneYarpRouteAndClusterPerDefinition()
    {
        var config = SampleConfig.Valid() with
        {
            Routes = new Dictionary<string, RouteDefinition> { ["a"] = SampleConfig.Route, ["b"] = SampleConfig.Route },
            Clusters = new Dictionary<string, ClusterDefinition> { ["api"] = SampleConfig.Cluster, ["other"] = SampleConfig.Cluster },
        };

        var (routes, clusters) = YarpConfigMapper.Map(config);

        Assert.Equal(["a", "b"], routes.Select(r => r.RouteId).Order(StringComparer.Ordinal));
        Assert.Equal(["api", "other"], clusters.Select(c => c.ClusterId).Order(StringComparer.Ordinal));
    }
}
