using System.Net;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Lifecycle;
using Gatehouse.Tests.Configuration;

namespace Gatehouse.Tests.Forwarding.Grpc;

public class GrpcConfigTests
{
    private static GatehouseConfig WithCluster(ClusterDefinition cluster, RouteDefinition? route = null) => SampleConfig.Valid() with
    {
        Routes = new Dictionary<string, RouteDefinition> { ["web"] = route ?? SampleConfig.Route },
        Clusters = new Dictionary<string, ClusterDefinition> { ["api"] = cluster },
    };

    [Fact]
    public void H2cDestinations_MapToHttpWithVersion2Exact()
    {
        var cluster = SampleConfig.Cluster with { Destinations = SampleConfig.Destinations(new DestinationDefinition { Address = "h2c://127.0.0.1:50051" }) };

        var yarp = YarpConfigMapper.MapCluster("api", cluster);

        Assert.Equal("http://127.0.0.1:50051", yarp.Destinations!.Values.Single().Address);
        Assert.Equal(HttpVersion.Version20, yarp.HttpRequest!.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, yarp.HttpRequest.VersionPolicy);
        Assert.Empty(ConfigValidator.Validate(WithCluster(cluster)));
    }

    [Fact]
    public void HttpDestinations_KeepVersion11OrLower_ByDefault()
    {
        var yarp = YarpConfigMapper.MapCluster("api", SampleConfig.Cluster);

        Assert.Equal(HttpVersion.Version11, yarp.HttpRequest!.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, yarp.HttpRequest.VersionPolicy);
    }

    [Fact]
    public void VersionPolicyExact_WithVersion2_IsH2cOverHttp()
    {
        var cluster = SampleConfig.Cluster with { HttpRequest = new HttpRequestDefinition { Version = "2", VersionPolicy = "exact" } };

        var yarp = YarpConfigMapper.MapCluster("api", cluster);

        Assert.Equal(HttpVersion.Version20, yarp.HttpRequest!.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, yarp.HttpRequest.VersionPolicy);
        Assert.False(LeanPath.AllowsHttp11(yarp.HttpRequest.Version, yarp.HttpRequest.VersionPolicy)); // so YARP's forwarder takes it
        Assert.True(UpstreamHttpVersion.CarriesHttp2(cluster));
    }

    [Fact]
    public void MixingH2cAndHttpDestinations_IsAnError()
    {
        var cluster = SampleConfig.Cluster with
        {
            Destinations = SampleConfig.Destinations(new() { Address = "h2c://127.0.0.1:50051" }, new() { Address = "http://127.0.0.1:50052" }),
        };

        var error = Assert.Single(ConfigValidator.Validate(WithCluster(cluster)));
        Assert.EndsWith(".address", error.Path, StringComparison.Ordinal);
        Assert.Contains("h2c://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownVersionPolicy_IsAnErrorAtItsPath()
    {
        var cluster = SampleConfig.Cluster with { HttpRequest = new HttpRequestDefinition { VersionPolicy = "sometimes" } };

        Assert.Equal("clusters.api.httpRequest.versionPolicy", Assert.Single(ConfigValidator.Validate(WithCluster(cluster))).Path);
    }

    [Fact]
    public void GrpcWebRoute_OnAnHttp11Cluster_IsAnError()
    {
        var route = SampleConfig.Route with { ClusterId = "api", GrpcWeb = true };

        Assert.Equal("routes.web.grpcWeb", Assert.Single(ConfigValidator.Validate(WithCluster(SampleConfig.Cluster, route))).Path);
        var h2c = SampleConfig.Cluster with { Destinations = SampleConfig.Destinations(new DestinationDefinition { Address = "h2c://127.0.0.1:50051" }) };
        Assert.Empty(ConfigValidator.Validate(WithCluster(h2c, route)));
    }

    [Theory]
    [InlineData("h1", false)]
    [InlineData("h2", false)]
    [InlineData("h1h2", true)]
    [InlineData("http2", true)]
    public void ListenerProtocols_TakeH1OrH2(string protocols, bool isError)
    {
        var config = SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Port = 8080, Protocols = protocols }] };

        var errors = ConfigValidator.Validate(config);

        Assert.Equal(isError, errors.Any(e => e.Path == "listeners[0].protocols"));
    }

    [Fact]
    public void ListenerProtocols_OnAnHttpsListener_IsAnError()
    {
        var config = SampleConfig.Valid() with { Listeners = [new ListenerDefinition { Port = 8443, Protocols = "h2", Tls = new ListenerTlsDefinition() }] };

        Assert.Contains(ConfigValidator.Validate(config), e => e.Path == "listeners[0].protocols");
    }
}
