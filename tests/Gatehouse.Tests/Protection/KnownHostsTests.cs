using Gatehouse.Configuration;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class KnownHostsTests
{
    private static KnownHosts From(params string[][] routeHosts) => KnownHosts.From(new GatehouseConfig
    {
        Routes = routeHosts.Select((hosts, i) => (Id: $"r{i}", Route: new RouteDefinition
        {
            ClusterId = "c",
            Match = new RouteMatchDefinition { Hosts = hosts.Length == 0 ? null : hosts, PathPrefix = "/" },
        })).ToDictionary(r => r.Id, r => r.Route),
    });

    [Fact]
    public void IsKnown_ARouteWithoutHosts_AcceptsEveryHost()
    {
        var hosts = From(["shop.example"], []);

        Assert.True(hosts.AnyHost);
        Assert.True(hosts.IsKnown("anything.example", null));
    }

    [Theory]
    [InlineData("shop.example", null, true)]
    [InlineData("SHOP.example", 8080, true)]
    [InlineData("eu.api.example", null, true)]
    [InlineData("a.b.api.example", 443, true)]
    [InlineData("api.example", null, false)]
    [InlineData("admin.example", 9000, true)]
    [InlineData("admin.example", 9001, false)]
    [InlineData("admin.example", null, false)]
    [InlineData("x.internal.example", 8443, true)]
    [InlineData("x.internal.example", 80, false)]
    [InlineData("other.example", null, false)]
    public void IsKnown_MatchesExactNamesWildcardsAndPorts(string host, int? port, bool known)
    {
        var hosts = From(["shop.example", "*.api.example"], ["admin.example:9000", "*.internal.example:8443"]);

        Assert.Equal(known, hosts.IsKnown(host, port));
    }
}
