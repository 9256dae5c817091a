using System.Net;
using Gatehouse.Discovery;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Tests.Discovery;

public sealed class DnsDecisionsTests
{
    private static readonly DnsDestinationSettings Settings = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), [], Srv: false, Host: null);

    [Theory]
    [InlineData(0, 5)]
    [InlineData(4, 5)]
    [InlineData(60, 60)]
    [InlineData(300, 300)]
    [InlineData(86400, 300)]
    public void RefreshAfter_IsTheTtlWithinTheBounds(int ttl, int expected)
    {
        Assert.Equal(TimeSpan.FromSeconds(expected), DnsDecisions.RefreshAfter(TimeSpan.FromSeconds(ttl), Settings.MinTtl, Settings.MaxTtl));
    }

    [Fact]
    public void Expand_MakesOneDestinationPerAddress_NamedByIt_WithTheConfiguredHostHeader()
    {
        var configured = new DestinationConfig { Address = "http://api.test:8080/base/", Metadata = new Dictionary<string, string> { [DestinationMetadata.Weight] = "3" } };
        var answer = new DnsAnswer([new(IPAddress.Parse("127.0.0.2")), new(IPAddress.Parse("::1"))], TimeSpan.FromSeconds(30));

        var expanded = DnsDecisions.Expand("d1", configured, Settings, answer).ToDictionary();

        Assert.Equal(["d1[127.0.0.2]", "d1[::1]"], expanded.Keys);
        Assert.Equal("http://127.0.0.2:8080/base/", expanded["d1[127.0.0.2]"].Address);
        Assert.Equal("http://[::1]:8080/base/", expanded["d1[::1]"].Address);
        Assert.All(expanded.Values, d => Assert.Equal("api.test:8080", d.Host));
        Assert.All(expanded.Values, d => Assert.Equal("3", d.Metadata![DestinationMetadata.Weight]));
        Assert.All(expanded.Values, d => Assert.Equal("d1", d.Metadata![DestinationMetadata.ConfiguredId]));
    }

    [Fact]
    public void Expand_OnTheDefaultPort_SendsTheBareName()
    {
        var expanded = DnsDecisions.Expand("d1", new DestinationConfig { Address = "https://api.test/" }, Settings,
            new DnsAnswer([new(IPAddress.Parse("10.0.0.1"))], TimeSpan.Zero)).Single();

        Assert.Equal("https://10.0.0.1/", expanded.Value.Address);
        Assert.Equal("api.test", expanded.Value.Host);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("www.example.test", "www.example.test")]
    public void Expand_HostSetting_OverridesTheHostHeader(string host, string? expected)
    {
        var expanded = DnsDecisions.Expand("d1", new DestinationConfig { Address = "http://api.test/" }, Settings with { Host = host },
            new DnsAnswer([new(IPAddress.Parse("10.0.0.1"))], TimeSpan.Zero)).Single();

        Assert.Equal(expected, expanded.Value.Host);
    }

    [Fact]
    public void Expand_WithSrv_TakesPortWeightAndTargetFromTheRecord()
    {
        var answer = new DnsAnswer(
            [new(IPAddress.Parse("127.0.0.2"), 9001, 5, "a.api.test"), new(IPAddress.Parse("127.0.0.3"), 9002, 1, "b.api.test")], TimeSpan.Zero);

        var expanded = DnsDecisions.Expand("d1", new DestinationConfig { Address = "http://_http._tcp.api.test/", Health = "http://_http._tcp.api.test/health" },
            Settings with { Srv = true }, answer).ToDictionary();

        var first = expanded["d1[127.0.0.2:9001]"];
        Assert.Equal("http://127.0.0.2:9001/", first.Address);
        Assert.Equal("http://127.0.0.2:9001/health", first.Health);
        Assert.Equal("a.api.test:9001", first.Host);
        Assert.Equal("5", first.Metadata![DestinationMetadata.Weight]);
        Assert.Equal("1", expanded["d1[127.0.0.3:9002]"].Metadata![DestinationMetadata.Weight]);
    }

    [Fact]
    public void UsableSrv_KeepsTheLowestPriority_AndGivesWeightZeroALittle()
    {
        var usable = DnsDecisions.UsableSrv([("backup.test.", 80, 20, 10), ("a.test.", 81, 10, 0), ("b.test.", 82, 10, 7), (".", 0, 0, 0)]);

        Assert.Equal([("a.test", 81, 1), ("b.test", 82, 7)], usable);
    }

    [Fact]
    public void SameDestinations_IgnoresOrderAndTtl()
    {
        var a = new DnsAnswer([new(IPAddress.Parse("10.0.0.1")), new(IPAddress.Parse("10.0.0.2"))], TimeSpan.FromSeconds(1));
        var b = new DnsAnswer([new(IPAddress.Parse("10.0.0.2")), new(IPAddress.Parse("10.0.0.1"))], TimeSpan.FromSeconds(60));
        var c = new DnsAnswer([new(IPAddress.Parse("10.0.0.2"))], TimeSpan.FromSeconds(60));

        Assert.True(a.SameDestinations(b));
        Assert.False(a.SameDestinations(c));
        Assert.False(a.SameDestinations(null));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("::1", "[::1]:53")]
    public void TryParseResolver_AcceptsAddressesWithOptionalPorts(string text, string expected)
    {
        Assert.True(DnsDestinationSettings.TryParseResolver(text, out var endPoint));
        Assert.Equal(expected, endPoint.ToString());
    }

    [Theory]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:0")]
    [InlineData("")]
    public void TryParseResolver_RefusesNamesAndPortZero(string text)
    {
        Assert.False(DnsDestinationSettings.TryParseResolver(text, out _));
    }

    [Fact]
    public void Metadata_RoundTrips()
    {
        var settings = new DnsDestinationSettings(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), [IPEndPoint.Parse("127.0.0.1:5353")], Srv: true, Host: "h.test");

        var back = DnsDestinationSettings.FromMetadata(settings.ToMetadata().ToDictionary());

        Assert.NotNull(back);
        Assert.Equal(settings.MinTtl, back.MinTtl);
        Assert.Equal(settings.MaxTtl, back.MaxTtl);
        Assert.Equal(settings.Resolvers, back.Resolvers);
        Assert.True(back.Srv);
        Assert.Equal("h.test", back.Host);
        Assert.Null(DnsDestinationSettings.FromMetadata(new Dictionary<string, string>()));
    }
}
