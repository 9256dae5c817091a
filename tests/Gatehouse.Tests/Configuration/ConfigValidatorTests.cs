using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class ConfigValidatorTests
{
    private static ConfigError SingleError(GatehouseConfig config) => Assert.Single(ConfigValidator.Validate(config));

    private static void AssertSingleErrorAt(string path, GatehouseConfig config) => Assert.Equal(path, SingleError(config).Path);

    [Fact]
    public void Validate_SampleConfig_HasNoErrors()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid()));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryOneWithItsPathInOneRun()
    {
        var config = SampleConfig.Valid() with
        {
            Listeners = [new ListenerDefinition { Address = "my-host", Port = 70000 }],
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["web"] = SampleConfig.Route with { ClusterId = "nope", Timeout = Duration.Parse("soon") },
            },
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["api"] = SampleConfig.Cluster with
                {
                    LoadBalancingPolicy = "Fastest",
                    Destinations = SampleConfig.Destinations(new() { Address = "ftp://files" }, new() { Address = "http://127.0.0.1:5002", Weight = 0 }),
                    HealthCheck = new HealthCheckDefinition { Active = new ActiveHealthCheckDefinition { Interval = Duration.Parse("5") } },
                    HttpRequest = new HttpRequestDefinition { Version = "1.5" },
                },
            },
            AccessLog = new AccessLogDefinition { Format = "xml" },
        };

        var errors = ConfigValidator.Validate(config);

        Assert.Equal(
            [
                "accessLog.format",
                "clusters.api.destinations.d1.address",
                "clusters.api.destinations.d2.weight",
                "clusters.api.healthCheck.active.interval",
                "clusters.api.httpRequest.version",
                "clusters.api.loadBalancingPolicy",
                "listeners[0].address",
                "listeners[0].port",
                "routes.web.clusterId",
                "routes.web.timeout",
            ],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Contains(errors, e => e.ToString() == "clusters.api.destinations.d1.address: 'ftp://files' is not an absolute http(s) URI");
        Assert.Contains(errors, e => e.ToString() == "routes.web.clusterId: no cluster named 'nope'");
        Assert.Contains(errors, e => e.ToString() == "routes.web.timeout: 'soon' is not a duration (such as 250ms, 5s, 2m or 00:00:05)");
        Assert.Contains(errors, e => e.Path == "clusters.api.loadBalancingPolicy" && e.Message.StartsWith("'Fastest' is not one of", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ProblemsInSeveralRoutesAndClusters_NamesEachOne()
    {
        var config = SampleConfig.Valid() with
        {
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["a"] = SampleConfig.Route with { ClusterId = "x" },
                // Another path: the same match twice would be an error of its own (AmbiguousRoutesValidationTests).
                ["b"] = SampleConfig.WithMatch(new() { PathPrefix = "/b" }) with { ClusterId = "y" },
            },
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["api"] = SampleConfig.Cluster,
                ["one"] = SampleConfig.WithDestination(new() { Address = "nope" }),
                ["two"] = SampleConfig.WithDestination(new() { Address = "nope" }),
            },
        };

        Assert.Equal(
            ["clusters.one.destinations.d1.address", "clusters.two.destinations.d1.address", "routes.a.clusterId", "routes.b.clusterId"],
            ConfigValidator.Validate(config).Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    // Listeners

    [Fact]
    public void Validate_NoListeners_ReportsListeners()
    {
        var error = SingleError(SampleConfig.Valid() with { Listeners = [] });

        Assert.Equal("listeners", error.Path);
        Assert.Equal("at least one listener is required", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    public void Validate_ListenerAddressIpOrLocalhost_IsAccepted(string address)
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Address = address, Port = 8080 }] }));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("http://127.0.0.1")]
    [InlineData("")]
    public void Validate_ListenerAddressNotIp_ReportsPath(string address)
    {
        AssertSingleErrorAt("listeners[0].address", SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Address = address, Port = 8080 }] });
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Validate_ListenerPortOutOfRange_ReportsPath(int port)
    {
        AssertSingleErrorAt("listeners[0].port", SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Port = port }] });
    }

    [Fact]
    public void Validate_TwoListenersOnOnePort_ReportsTheSecond()
    {
        var error = SingleError(SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Port = 8080 }, new ListenerDefinition { Port = 8080 }] });

        Assert.Equal("listeners[1].port", error.Path);
        Assert.Equal("127.0.0.1:8080 is already used by another listener", error.Message);
    }

    [Fact]
    public void Validate_SamePortOnDifferentAddresses_IsAccepted()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid() with
        {
            Listeners = [new ListenerDefinition { Address = "127.0.0.1", Port = 8080 }, new ListenerDefinition { Address = "::1", Port = 8080 }],
        }));
    }

    [Fact]
    public void Validate_SeveralListenersOnPortZero_IsAccepted()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Port = 0 }, new ListenerDefinition { Port = 0 }] }));
    }

    [Fact]
    public void Validate_ListenerWithoutPort_ReportsRequired()
    {
        var error = SingleError(SampleConfig.Valid() with { Listeners = [new ListenerDefinition()] });

        Assert.Equal("listeners[0].port", error.Path);
        Assert.Contains("required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("127.0.0.1", "0.0.0.0")]
    [InlineData("localhost", "127.0.0.1")]
    [InlineData("::", "::1")]
    public void Validate_ListenersThatCannotBothBind_ReportsTheSecond(string first, string second)
    {
        var error = SingleError(SampleConfig.Valid() with
        {
            Listeners = [new ListenerDefinition { Address = first, Port = 8080 }, new ListenerDefinition { Address = second, Port = 8080 }],
        });

        Assert.Equal("listeners[1].port", error.Path);
    }

    [Fact]
    public void Validate_LocalhostOnPortZero_IsRefused()
    {
        var error = SingleError(SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Address = "localhost", Port = 0 }] });

        Assert.Equal("listeners[0].port", error.Path);
    }

    [Fact]
    public void Validate_IdsThatDifferOnlyInCase_AreReported()
    {
        var config = SampleConfig.Valid();
        var clusters = new Dictionary<string, ClusterDefinition>(config.Clusters) { ["API"] = config.Clusters.Values.First() };
        var errors = ConfigValidator.Validate(config with { Clusters = clusters });

        Assert.Contains(errors, e => e.Path.StartsWith("clusters.", StringComparison.Ordinal) && e.Message.Contains("ignore case", StringComparison.Ordinal));
    }

    // Routes

    [Fact]
    public void Validate_RouteWithoutClusterId_ReportsRequired()
    {
        var error = SingleError(SampleConfig.Valid(route: SampleConfig.Route with { ClusterId = " " }));

        Assert.Equal("routes.web.clusterId", error.Path);
        Assert.StartsWith("required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RouteToUnknownCluster_ReportsClusterId()
    {
        AssertSingleErrorAt("routes.web.clusterId", SampleConfig.Valid(route: SampleConfig.Route with { ClusterId = "apj" }));
    }

    [Fact]
    public void Validate_PathAndPathPrefix_ReportsMatch()
    {
        var error = SingleError(SampleConfig.Valid(route: SampleConfig.WithMatch(new() { Path = "/a/{**rest}", PathPrefix = "/a" })));

        Assert.Equal("routes.web.match", error.Path);
        Assert.Equal("give either path or pathPrefix, not both", error.Message);
    }

    [Fact]
    public void Validate_MatchOnNothing_ReportsMatch()
    {
        AssertSingleErrorAt("routes.web.match", SampleConfig.Valid(route: SampleConfig.WithMatch(new() { Hosts = [] })));
    }

    [Fact]
    public void Validate_MatchOnHostsOnly_IsAccepted()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(route: SampleConfig.WithMatch(new() { Hosts = ["example.com", "*.example.com", "example.com:8080"] }))));
    }

    [Fact]
    public void Validate_PathNotStartingWithSlash_ReportsPath()
    {
        AssertSingleErrorAt("routes.web.match.path", SampleConfig.Valid(route: SampleConfig.WithMatch(new() { Path = "api/{**rest}" })));
    }

    [Theory]
    [InlineData("api")]
    [InlineData("/api/{id}")]
    [InlineData("/api}")]
    public void Validate_BadPathPrefix_ReportsPathPrefix(string prefix)
    {
        AssertSingleErrorAt("routes.web.match.pathPrefix", SampleConfig.Valid(route: SampleConfig.WithMatch(new() { PathPrefix = prefix })));
    }

    [Theory]
    [InlineData("")]
    [InlineData("example.com/api")]
    [InlineData("exa mple.com")]
    public void Validate_BadHost_ReportsIndexedPath(string host)
    {
        AssertSingleErrorAt("routes.web.match.hosts[1]", SampleConfig.Valid(route: SampleConfig.WithMatch(new() { Hosts = ["example.com", host] })));
    }

    [Theory]
    [InlineData("")]
    [InlineData("GE T")]
    [InlineData("GET,POST")]
    public void Validate_BadMethod_ReportsIndexedPath(string method)
    {
        AssertSingleErrorAt("routes.web.match.methods[0]", SampleConfig.Valid(route: SampleConfig.WithMatch(new() { PathPrefix = "/", Methods = [method, "GET"] })));
    }

    [Fact]
    public void Validate_GoodHeaderMatches_AreAccepted()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(route: SampleConfig.WithMatch(new()
        {
            PathPrefix = "/",
            Headers =
            [
                new() { Name = "X-Version", Values = ["2"] },
                new() { Name = "X-Debug", Mode = "Exists" },
                new() { Name = "X-Tenant", Mode = "notexists" },
                new() { Name = "User-Agent", Mode = "Contains", Values = ["bot"] },
            ],
        }))));
    }

    [Theory]
    [InlineData(null, "ExactHeader", "v", "routes.web.match.headers[0].name")]
    [InlineData("X Version", "ExactHeader", "v", "routes.web.match.headers[0].name")]
    [InlineData("X-Version", "Equals", "v", "routes.web.match.headers[0].mode")]
    [InlineData("X-Version", "ExactHeader", null, "routes.web.match.headers[0].values")]
    [InlineData("X-Version", "HeaderPrefix", null, "routes.web.match.headers[0].values")]
    public void Validate_BadHeaderMatch_ReportsPath(string? name, string mode, string? value, string path)
    {
        var header = new HeaderMatchDefinition { Name = name, Mode = mode, Values = value is null ? null : [value] };

        AssertSingleErrorAt(path, SampleConfig.Valid(route: SampleConfig.WithMatch(new() { PathPrefix = "/", Headers = [header] })));
    }

    [Fact]
    public void Validate_NullTransform_ReportsIndexedPath()
    {
        var error = SingleError(SampleConfig.Valid(route: SampleConfig.Route with
        {
            Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = "/api" }, null!],
        }));

        Assert.Equal("routes.web.transforms[1]", error.Path);
        Assert.Equal("a transform must be an object", error.Message);
    }

    [Theory]
    [InlineData("PathRemovePrefix")]
    [InlineData("pathPattern")]
    [InlineData("PathSet")]
    public void Validate_ForwardRawPathWithAPathTransform_ReportsTheTransform(string transform)
    {
        var error = SingleError(SampleConfig.Valid(route: SampleConfig.Route with
        {
            ForwardRawPath = true,
            Transforms = [new Dictionary<string, string> { ["RequestHeader"] = "X-A", ["Set"] = "1" }, new Dictionary<string, string> { [transform] = "/api" }],
        }));

        Assert.Equal("routes.web.transforms[1]", error.Path);
        Assert.Contains("forwardRawPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ForwardRawPathWithOtherTransforms_IsValid() =>
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(route: SampleConfig.Route with
        {
            ForwardRawPath = true,
            Transforms = [new Dictionary<string, string> { ["RequestHeader"] = "X-A", ["Set"] = "1" }],
        })));

    [Theory]
    [InlineData("soon", "is not a duration")]
    [InlineData("0s", "must be more than zero")]
    public void Validate_BadRouteTimeout_ReportsTimeout(string timeout, string message)
    {
        var error = SingleError(SampleConfig.Valid(route: SampleConfig.Route with { Timeout = Duration.Parse(timeout) }));

        Assert.Equal("routes.web.timeout", error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeMaxBufferedBodyBytes_ReportsPath()
    {
        AssertSingleErrorAt("routes.web.retry.maxBufferedBodyBytes", SampleConfig.Valid(route: SampleConfig.Route with { Retry = new() { MaxBufferedBodyBytes = -1 } }));
    }

    // Clusters

    [Theory]
    [InlineData("RoundRobin")]
    [InlineData("roundrobin")]
    [InlineData("WeightedRoundRobin")]
    [InlineData("LeastRequests")]
    [InlineData("Random")]
    [InlineData("PowerOfTwoChoices")]
    [InlineData("FirstAlphabetical")]
    [InlineData("ConsistentHash")]
    public void Validate_KnownPolicy_IsAccepted(string policy)
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.Cluster with { LoadBalancingPolicy = policy })));
    }

    [Fact]
    public void Validate_UnknownPolicy_ReportsPolicyAndListsNames()
    {
        var error = SingleError(SampleConfig.Valid(cluster: SampleConfig.Cluster with { LoadBalancingPolicy = "Fastest" }));

        Assert.Equal("clusters.api.loadBalancingPolicy", error.Path);
        Assert.Contains("ConsistentHash", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ip")]
    [InlineData("path")]
    [InlineData("header:X-User")]
    [InlineData("cookie:session")]
    public void Validate_HashKeyWithConsistentHash_IsAccepted(string hashKey)
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.Cluster with { LoadBalancingPolicy = "ConsistentHash", HashKey = hashKey })));
    }

    [Fact]
    public void Validate_BadHashKey_ReportsHashKey()
    {
        AssertSingleErrorAt("clusters.api.hashKey", SampleConfig.Valid(cluster: SampleConfig.Cluster with { LoadBalancingPolicy = "ConsistentHash", HashKey = "header:" }));
    }

    [Fact]
    public void Validate_HashKeyWithoutConsistentHash_ReportsHashKey()
    {
        var error = SingleError(SampleConfig.Valid(cluster: SampleConfig.Cluster with { LoadBalancingPolicy = "RoundRobin", HashKey = "ip" }));

        Assert.Equal("clusters.api.hashKey", error.Path);
        Assert.Equal("only used with loadBalancingPolicy ConsistentHash", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("my cookie")]
    [InlineData("a;b")]
    public void Validate_SessionAffinityBadCookieName_ReportsPath(string cookieName)
    {
        AssertSingleErrorAt("clusters.api.sessionAffinity.cookieName",
            SampleConfig.Valid(cluster: SampleConfig.Cluster with { SessionAffinity = new() { Enabled = true, CookieName = cookieName } }));
    }

    [Fact]
    public void Validate_SessionAffinityDisabled_CookieNameNotChecked()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.Cluster with { SessionAffinity = new() { CookieName = "" } })));
    }

    [Fact]
    public void Validate_NoDestinations_ReportsDestinations()
    {
        AssertSingleErrorAt("clusters.api.destinations", SampleConfig.Valid(cluster: SampleConfig.Cluster with { Destinations = SampleConfig.Destinations() }));
    }

    [Fact]
    public void Validate_DestinationWithoutAddress_ReportsRequired()
    {
        var error = SingleError(SampleConfig.Valid(cluster: SampleConfig.WithDestination(new())));

        Assert.Equal("clusters.api.destinations.d1.address", error.Path);
        Assert.Equal("required: an absolute http(s) URI", error.Message);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("127.0.0.1:5001")]
    [InlineData("/relative")]
    [InlineData("http://")]
    [InlineData("file:///etc/passwd")]
    public void Validate_DestinationAddressNotHttp_ReportsPath(string address)
    {
        var error = SingleError(SampleConfig.Valid(cluster: SampleConfig.WithDestination(new() { Address = address })));

        Assert.Equal("clusters.api.destinations.d1.address", error.Path);
        Assert.Contains("is not an absolute http(s) URI", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5001")]
    [InlineData("https://backend.internal/base/")]
    [InlineData("http://[::1]:5001")]
    public void Validate_DestinationAddressHttp_IsAccepted(string address)
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.WithDestination(new() { Address = address }))));
    }

    [Fact]
    public void Validate_DestinationHealthNotHttp_ReportsPath()
    {
        AssertSingleErrorAt("clusters.api.destinations.d1.health",
            SampleConfig.Valid(cluster: SampleConfig.WithDestination(SampleConfig.Destination with { Health = "healthz" })));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Validate_WeightOutOfRange_ReportsPath(int weight)
    {
        AssertSingleErrorAt("clusters.api.destinations.d1.weight",
            SampleConfig.Valid(cluster: SampleConfig.WithDestination(SampleConfig.Destination with { Weight = weight })));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10_000)]
    public void Validate_WeightAtBounds_IsAccepted(int weight)
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.WithDestination(SampleConfig.Destination with { Weight = weight }))));
    }

    [Fact]
    public void Validate_NullDestination_ReportsMustBeObject()
    {
        var error = SingleError(SampleConfig.Valid(cluster: SampleConfig.Cluster with
        {
            Destinations = new Dictionary<string, DestinationDefinition> { ["d1"] = null! },
        }));

        Assert.Equal("clusters.api.destinations.d1", error.Path);
        Assert.Equal("a destination must be an object", error.Message);
    }

    [Fact]
    public void Validate_NullRouteAndCluster_ReportMustBeObject()
    {
        var config = SampleConfig.Valid() with
        {
            Routes = new Dictionary<string, RouteDefinition> { ["web"] = SampleConfig.Route, ["empty"] = null! },
            Clusters = new Dictionary<string, ClusterDefinition> { ["api"] = SampleConfig.Cluster, ["none"] = null! },
        };

        Assert.Equal(["clusters.none", "routes.empty"], ConfigValidator.Validate(config).Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    // Health checks

    [Theory]
    [InlineData("fail")]
    [InlineData("panic")]
    public void Validate_WhenAllUnhealthyKnown_IsAccepted(string mode)
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.WithHealth(new() { WhenAllUnhealthy = mode }))));
    }

    [Fact]
    public void Validate_WhenAllUnhealthyUnknown_ReportsPath()
    {
        AssertSingleErrorAt("clusters.api.healthCheck.whenAllUnhealthy", SampleConfig.Valid(cluster: SampleConfig.WithHealth(new() { WhenAllUnhealthy = "retry" })));
    }

    [Fact]
    public void Validate_ActiveHealthBadValues_ReportsEach()
    {
        var health = new HealthCheckDefinition
        {
            Active = new()
            {
                Enabled = true,
                Interval = Duration.Parse("often"),
                Timeout = Duration.Parse("0ms"),
                Path = "healthz",
                HealthyThreshold = 0,
                UnhealthyThreshold = -1,
            },
        };

        Assert.Equal(
            [
                "clusters.api.healthCheck.active.healthyThreshold",
                "clusters.api.healthCheck.active.interval",
                "clusters.api.healthCheck.active.path",
                "clusters.api.healthCheck.active.timeout",
                "clusters.api.healthCheck.active.unhealthyThreshold",
            ],
            ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.WithHealth(health))).Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_PassiveHealthBadValues_ReportsEach()
    {
        var health = new HealthCheckDefinition { Passive = new() { ConsecutiveFailures = 0, ReactivationPeriod = Duration.Parse("10") } };

        Assert.Equal(
            ["clusters.api.healthCheck.passive.consecutiveFailures", "clusters.api.healthCheck.passive.reactivationPeriod"],
            ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.WithHealth(health))).Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    // Retries

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Validate_MaxAttemptsOutOfRange_ReportsPath(int attempts)
    {
        AssertSingleErrorAt("clusters.api.retry.maxAttempts", SampleConfig.Valid(cluster: SampleConfig.WithRetry(new() { MaxAttempts = attempts })));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(600)]
    public void Validate_RetryStatusNotHttp_ReportsIndexedPath(int status)
    {
        AssertSingleErrorAt("clusters.api.retry.statuses[1]", SampleConfig.Valid(cluster: SampleConfig.WithRetry(new() { Statuses = [502, status] })));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void Validate_BudgetPercentOutOfRange_ReportsPath(double percent)
    {
        AssertSingleErrorAt("clusters.api.retry.budget.percent", SampleConfig.Valid(cluster: SampleConfig.WithRetry(new() { Budget = new() { Percent = percent } })));
    }

    [Fact]
    public void Validate_BudgetBadFloorAndWindow_ReportsEach()
    {
        var retry = new ClusterRetryDefinition { Budget = new() { MinRetriesPerSecond = -1, Window = Duration.Parse("-1s") } };

        Assert.Equal(
            ["clusters.api.retry.budget.minRetriesPerSecond", "clusters.api.retry.budget.window"],
            ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.WithRetry(retry))).Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    // HTTP client and request

    [Fact]
    public void Validate_HttpClientBadValues_ReportsEach()
    {
        var client = new HttpClientDefinition
        {
            ConnectTimeout = Duration.Parse("5"),
            PooledConnectionIdleTimeout = Duration.Parse("0s"),
            MaxConnectionsPerServer = 0,
        };

        Assert.Equal(
            ["clusters.api.httpClient.connectTimeout", "clusters.api.httpClient.maxConnectionsPerServer", "clusters.api.httpClient.pooledConnectionIdleTimeout"],
            ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.Cluster with { HttpClient = client })).Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_ActivityTimeoutInvalid_ReportsPath()
    {
        AssertSingleErrorAt("clusters.api.httpRequest.activityTimeout",
            SampleConfig.Valid(cluster: SampleConfig.Cluster with { HttpRequest = new() { ActivityTimeout = Duration.Parse("forever") } }));
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.1")]
    [InlineData("2")]
    [InlineData("2.0")]
    [InlineData("3")]
    public void Validate_HttpVersionKnown_IsAccepted(string version)
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid(cluster: SampleConfig.Cluster with { HttpRequest = new() { Version = version } })));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("HTTP/2")]
    [InlineData("")]
    public void Validate_HttpVersionUnknown_ReportsPath(string version)
    {
        AssertSingleErrorAt("clusters.api.httpRequest.version", SampleConfig.Valid(cluster: SampleConfig.Cluster with { HttpRequest = new() { Version = version } }));
    }

    // Access log and server

    [Fact]
    public void Validate_AccessLogBadFormatAndPath_ReportsEach()
    {
        Assert.Equal(
            ["accessLog.flushInterval", "accessLog.format", "accessLog.path"],
            ConfigValidator.Validate(SampleConfig.Valid() with { AccessLog = new() { Format = "Combined ", Path = " ", FlushInterval = Duration.Parse("soon") } })
                .Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_AccessLogFlushIntervalZero_IsAccepted()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid() with { AccessLog = new() { FlushInterval = Duration.Parse("0s") } }));
    }

    [Fact]
    public void Validate_DrainTimeoutZero_IsAccepted()
    {
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid() with { Server = new() { DrainTimeout = Duration.Parse("0s") } }));
    }

    [Fact]
    public void Validate_DrainTimeoutNegative_ReportsZeroOrMore()
    {
        var error = SingleError(SampleConfig.Valid() with { Server = new() { DrainTimeout = Duration.From(TimeSpan.FromSeconds(-1)) } });

        Assert.Equal("server.drainTimeout", error.Path);
        Assert.Contains("must be zero or more", error.Message, StringComparison.Ordinal);
    }
}
