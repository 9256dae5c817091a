using Gatehouse.Cli;

namespace Gatehouse.Tests.Cli;

public class QuickConfigTests
{
    [Fact]
    public void Build_FromAndTo_GivesOneListenerCatchAllRouteAndCluster()
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:5001", "http://127.0.0.1:5002"], "RoundRobin");

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        var config = result.Config!;
        var listener = Assert.Single(config.Listeners);
        Assert.Equal("127.0.0.1", listener.Address);
        Assert.Equal(8080, listener.Port);
        var (routeId, route) = Assert.Single(config.Routes);
        Assert.Equal("all", routeId);
        Assert.Equal("/", route.Match.PathPrefix);
        var cluster = config.Clusters[route.ClusterId!];
        Assert.Equal("RoundRobin", cluster.LoadBalancingPolicy);
        Assert.Equal(["d1", "d2"], cluster.Destinations.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("http://127.0.0.1:5001", cluster.Destinations["d1"].Address);
        Assert.Equal("http://127.0.0.1:5002", cluster.Destinations["d2"].Address);
    }

    [Fact]
    public void Build_ToH2c_GivesAnH2cCluster()
    {
        var result = QuickConfig.Build("https://localhost:8443", ["h2c://127.0.0.1:50051"], null);

        Assert.Empty(result.Errors);
        var cluster = Assert.Single(result.Config!.Clusters).Value;
        Assert.True(Gatehouse.Forwarding.UpstreamHttpVersion.IsH2cCluster(cluster));
        var yarp = Gatehouse.Lifecycle.YarpConfigMapper.MapCluster("backends", cluster);
        Assert.Equal("http://127.0.0.1:50051", yarp.Destinations!["d1"].Address);
        Assert.Equal(System.Net.Http.HttpVersionPolicy.RequestVersionExact, yarp.HttpRequest!.VersionPolicy);
    }

    [Fact]
    public void Build_ToH2cAndHttp_IsAnErrorAboutTo()
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", ["h2c://127.0.0.1:50051", "http://127.0.0.1:5001"], null);

        Assert.Equal("--to", Assert.Single(result.Errors).Path);
    }

    [Fact]
    public void Build_FromH2c_ListensForPriorKnowledgeHttp2()
    {
        var result = QuickConfig.Build("h2c://127.0.0.1:8080", ["h2c://127.0.0.1:50051"], null);

        Assert.Empty(result.Errors);
        var listener = Assert.Single(result.Config!.Listeners);
        Assert.Equal("h2", listener.Protocols);
        Assert.Null(listener.Tls);
    }

    [Fact]
    public void Build_NoPolicy_LeavesTheDefault()
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:5001"], null);

        Assert.Null(result.Config!.Clusters.Single().Value.LoadBalancingPolicy);
    }

    [Fact]
    public void Build_Ipv6From_ListenerAddressWithoutBrackets()
    {
        var result = QuickConfig.Build("http://[::1]:9000", ["http://127.0.0.1:5001"], null);

        Assert.Empty(result.Errors);
        Assert.Equal("::1", result.Config!.Listeners[0].Address);
        Assert.Equal(9000, result.Config.Listeners[0].Port);
    }

    [Fact]
    public void Build_FromWithoutPort_ListensOnPort80()
    {
        Assert.Equal(80, QuickConfig.Build("http://0.0.0.0", ["http://127.0.0.1:5001"], null).Config!.Listeners[0].Port);
    }

    [Theory]
    [InlineData("127.0.0.1:8080")]
    [InlineData(":8080")]
    [InlineData("ftp://127.0.0.1:8443")]
    [InlineData("not a url")]
    [InlineData("")]
    public void Build_BadFrom_ReportsFrom(string from)
    {
        var result = QuickConfig.Build(from, ["http://127.0.0.1:5001"], null);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("--from", error.Path);
        Assert.Contains($"'{from}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_FromHostName_ReportsFromNotListeners()
    {
        var result = QuickConfig.Build("http://example.com:8080", ["http://127.0.0.1:5001"], null);

        Assert.Null(result.Config);
        Assert.Equal("--from", Assert.Single(result.Errors).Path);
    }

    [Fact]
    public void Build_NoTo_ReportsTo()
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", [], null);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("--to", error.Path);
        Assert.Equal("at least one backend address is required", error.Message);
    }

    [Fact]
    public void Build_BadFromAndNoTo_ReportsBoth()
    {
        var result = QuickConfig.Build("ftp://x", [], null);

        Assert.Equal(["--from", "--to"], result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Build_BadToAddress_ReportsWhichOne()
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:5001", "localhost:5002", "ftp://127.0.0.1"], null);

        Assert.Null(result.Config);
        // Named by the value the user typed, never by an id (d2) that only Gatehouse knows.
        Assert.Equal(
            ["--to: 'localhost:5002' is not an absolute http(s) URI (such as http://localhost:5002)", "--to: 'ftp://127.0.0.1' is not an absolute http(s) URI"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Build_UnknownPolicy_ReportsLb()
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:5001"], "Fastest");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("--lb", error.Path);
        Assert.StartsWith("'Fastest' is not one of", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("roundrobin")]
    [InlineData("WeightedRoundRobin")]
    [InlineData("ConsistentHash")]
    public void Build_KnownPolicyInAnyCase_IsAccepted(string policy)
    {
        Assert.True(QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:5001"], policy).IsValid);
    }

    [Fact]
    public void Build_ManyProblems_ReportsAllWithFlagNames()
    {
        var result = QuickConfig.Build("http://my-host:8080", ["nope"], "Fastest");

        Assert.Equal(["--from", "--lb", "--to"], result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }
}

public class QuickConfigTlsTests
{
    [Fact]
    public void HttpsFrom_UsesTheInternalIssuerForItsHost()
    {
        var result = QuickConfig.Build("https://localhost:8443", ["http://127.0.0.1:5001"], null);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var listener = Assert.Single(result.Config!.Listeners);
        Assert.NotNull(listener.Tls);
        Assert.Equal(["localhost"], result.Config.Tls.Internal.Hosts);
        Assert.Empty(result.Config.Tls.Certificates);
    }

    [Fact]
    public void HttpsFrom_WithFiles_UsesThem()
    {
        var result = QuickConfig.Build("https://127.0.0.1:8443", ["http://127.0.0.1:5001"], null, tls: new QuickTls("a.pem", "a.key", null));

        var certificate = Assert.Single(result.Config!.Tls.Certificates);
        Assert.Equal(("a.pem", "a.key"), (certificate.Certificate, certificate.Key));
        Assert.Empty(result.Config.Tls.Internal.Hosts);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "a.pem", "a.key", "--tls-cert")]
    [InlineData("https://127.0.0.1:8443", "a.pem", null, "--tls-key")]
    [InlineData("https://127.0.0.1:8443", null, "a.key", "--tls-cert")]
    [InlineData("ftp://127.0.0.1:21", null, null, "--from")]
    public void Mistakes_AreReportedByFlag(string from, string? certificate, string? key, string flag)
    {
        var result = QuickConfig.Build(from, ["http://127.0.0.1:5001"], null, tls: new QuickTls(certificate, key, null));

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path == flag);
    }
}

public sealed class QuickConfigAdminTests
{
    [Theory]
    [InlineData("127.0.0.1:9901", "127.0.0.1", 9901)]
    [InlineData("[::1]:9902", "::1", 9902)]
    [InlineData("localhost:9903", "127.0.0.1", 9903)]
    public void Admin_OnLoopback_TurnsOnTheAdminListenerWithoutAToken(string admin, string address, int port)
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:9001"], null, admin: admin);

        Assert.Empty(result.Errors);
        Assert.Equal(address, result.Config!.Admin.Address);
        Assert.Equal(port, result.Config.Admin.Port);
        Assert.Null(result.Config.Admin.Token);
    }

    [Theory]
    [InlineData("0.0.0.0:9901")]
    [InlineData("192.168.1.5:9901")]
    [InlineData("9901")]
    [InlineData("127.0.0.1:http")]
    public void Admin_ElsewhereOrMalformed_IsRefused(string admin)
    {
        var result = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:9001"], null, admin: admin);

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path == "--admin" && e.Message.Contains("loopback", StringComparison.Ordinal));
    }

    [Fact]
    public void NoAdmin_LeavesItOff() =>
        Assert.Null(QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:9001"], null).Config!.Admin.Port);
}
