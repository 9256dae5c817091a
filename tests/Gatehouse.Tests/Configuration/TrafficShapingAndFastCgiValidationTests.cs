using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public sealed class TrafficShapingAndFastCgiValidationTests
{
    private static GatehouseConfig WithShadow(RouteDefinition route) => SampleConfig.Valid(route) with
    {
        Clusters = new Dictionary<string, ClusterDefinition> { ["api"] = SampleConfig.Cluster, ["canary"] = SampleConfig.Cluster },
    };

    private static List<string> Errors(GatehouseConfig config) => ConfigValidator.Validate(config).Select(e => e.ToString()).ToList();

    [Fact]
    public void ValidSplitAndMirror_HaveNoErrors()
    {
        var route = SampleConfig.Route with
        {
            Split = [new() { Cluster = "api", Weight = 90 }, new() { Cluster = "canary", Weight = 10 }],
            SplitKey = "cookie:session",
            SplitOverrides = [new() { Header = "X-Canary", Value = "always", Cluster = "canary" }, new() { Cookie = "gh_cluster" }],
            Mirror = new MirrorDefinition { Cluster = "canary", Percent = 5 },
        };
        Assert.Empty(Errors(WithShadow(route)));
    }

    [Fact]
    public void BadSplit_EveryProblemWithItsPath()
    {
        var route = SampleConfig.Route with
        {
            Split = [new() { Cluster = "nope", Weight = 5 }, new() { Cluster = "api", Weight = 20_000 }, new() { Cluster = "api" }],
            SplitKey = "query:x",
            SplitOverrides = [new() { Header = "X-A", Cookie = "b" }, new() { Header = "bad header", Cluster = "gone" }],
        };
        var errors = Errors(WithShadow(route));

        Assert.Contains("routes.web.split[0].cluster: no cluster named 'nope'", errors);
        Assert.Contains("routes.web.split[1].weight: 20000 is out of range (0 to 10000)", errors);
        Assert.Contains("routes.web.split[2].cluster: 'api' is named twice in the split", errors);
        Assert.Contains("routes.web.splitKey: 'query:x' is not ip, header:NAME or cookie:NAME", errors);
        Assert.Contains("routes.web.splitOverrides[0]: give either header or cookie", errors);
        Assert.Contains("routes.web.splitOverrides[1].header: 'bad header' is not a header name", errors);
        Assert.Contains("routes.web.splitOverrides[1].cluster: no cluster named 'gone'", errors);
    }

    [Fact]
    public void SplitKeyWithoutSplit_AndValueNamedOverrideWithoutSplit_AreErrors()
    {
        var errors = Errors(WithShadow(SampleConfig.Route with { SplitKey = "ip", SplitOverrides = [new() { Cookie = "c" }] }));
        Assert.Contains("routes.web.splitKey: only used with split", errors);
        Assert.Contains("routes.web.splitOverrides[0].cluster: required without a split: the value can only name one of the split's clusters", errors);
    }

    [Fact]
    public void AllWeightsZero_IsAnError() =>
        Assert.Contains("routes.web.split: every weight is 0: at least one cluster must get a share",
            Errors(WithShadow(SampleConfig.Route with { Split = [new() { Cluster = "api", Weight = 0 }] })));

    [Fact]
    public void BadMirror_EveryProblemWithItsPath()
    {
        var mirror = new MirrorDefinition { Cluster = null, Percent = 120, MaxBodyBytes = ByteSize.Parse("lots"), MaxConcurrent = 0, Timeout = Duration.Parse("0s") };
        var errors = Errors(WithShadow(SampleConfig.Route with { Mirror = mirror }));

        Assert.Contains("routes.web.mirror.cluster: required: a cluster id", errors);
        Assert.Contains("routes.web.mirror.percent: 120 is out of range (0 to 100)", errors);
        Assert.Contains("routes.web.mirror.maxBodyBytes: 'lots' is not a size below 2GB (such as 64KB)", errors);
        Assert.Contains("routes.web.mirror.maxConcurrent: must be at least 1", errors);
        Assert.Contains(errors, e => e.StartsWith("routes.web.mirror.timeout:", StringComparison.Ordinal));
    }

    private static ClusterDefinition FastCgi(string address, FastCgiDefinition? settings, string? protocol = null) => SampleConfig.Cluster with
    {
        Protocol = protocol,
        FastCgi = settings,
        Destinations = SampleConfig.Destinations(new DestinationDefinition { Address = address }),
    };

    [Theory]
    [InlineData("fastcgi://127.0.0.1:9000", null)]
    [InlineData("unix:/run/php/php8.2-fpm.sock", "fastcgi")]
    public void FastCgiCluster_Valid(string address, string? protocol) =>
        Assert.Empty(Errors(SampleConfig.Valid(cluster: FastCgi(address, new FastCgiDefinition { Root = "/var/www" }, protocol))));

    [Fact]
    public void FastCgiCluster_EveryProblemWithItsPath()
    {
        var settings = new FastCgiDefinition { Root = "www", Index = "a/index.php", SplitPath = ["php"], Params = new Dictionary<string, string> { ["A=B"] = "x" } };
        var cluster = FastCgi("http://127.0.0.1:9000", settings, "fastcgi") with
        {
            HealthCheck = new HealthCheckDefinition { Active = new ActiveHealthCheckDefinition { Enabled = true } },
        };
        var errors = Errors(SampleConfig.Valid(cluster: cluster));

        Assert.Contains("clusters.api.destinations.d1.address: 'http://127.0.0.1:9000' is not fastcgi://HOST:PORT or unix:/PATH (a FastCGI cluster)", errors);
        Assert.Contains("clusters.api.healthCheck.active: active health checks send HTTP; a FastCGI cluster has passive health checks only", errors);
        Assert.Contains("clusters.api.fastCgi.root: 'www' is not an absolute path", errors);
        Assert.Contains("clusters.api.fastCgi.index: 'a/index.php' is not a file name (such as index.php)", errors);
        Assert.Contains("clusters.api.fastCgi.splitPath[0]: 'php' is not an extension (such as .php)", errors);
        Assert.Contains("clusters.api.fastCgi.params.A=B: not a CGI variable name", errors);
    }

    [Fact]
    public void FastCgiCluster_WithoutRoot_AndSettingsOnAnHttpCluster_AreErrors()
    {
        Assert.Contains("clusters.api.fastCgi.root: required for a FastCGI cluster: the document root as the FastCGI server sees it",
            Errors(SampleConfig.Valid(cluster: FastCgi("fastcgi://127.0.0.1:9000", null))));
        Assert.Contains("clusters.api.fastCgi: only used with protocol fastcgi",
            Errors(SampleConfig.Valid(cluster: SampleConfig.Cluster with { FastCgi = new FastCgiDefinition { Root = "/srv" } })));
        Assert.Contains("clusters.api.protocol: 'grpc' is not one of http, fastcgi",
            Errors(SampleConfig.Valid(cluster: SampleConfig.Cluster with { Protocol = "grpc" })));
    }

    [Fact]
    public void MirrorToAFastCgiCluster_IsAnError()
    {
        var config = SampleConfig.Valid(SampleConfig.Route with { Mirror = new MirrorDefinition { Cluster = "php" } }) with
        {
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["api"] = SampleConfig.Cluster,
                ["php"] = FastCgi("fastcgi://127.0.0.1:9000", new FastCgiDefinition { Root = "/srv" }),
            },
        };
        Assert.Contains("routes.web.mirror.cluster: 'php' is a FastCGI cluster; a mirror copies HTTP requests to an HTTP cluster", Errors(config));
    }
}
