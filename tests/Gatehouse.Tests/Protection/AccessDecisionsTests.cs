using System.Net;
using Gatehouse.Configuration;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class AccessDecisionsTests
{
    /// <summary>Protection's settings as a generation has them: the IP lists the check parsed.</summary>
    private static ProtectionSettings Compiled(GatehouseConfig config) => Gatehouse.Lifecycle.GenerationCompiler.Compile(config).Protection();

    private static bool Allowed(string client, string[] allow, string[] deny) =>
        AccessDecisions.IsAllowed(IPAddress.Parse(client), IpNetworkList.From(allow), IpNetworkList.From(deny));

    [Theory]
    [InlineData("198.51.100.1", new string[0], new string[0], true)]
    [InlineData("198.51.100.1", new[] { "198.51.100.0/24" }, new string[0], true)]
    [InlineData("198.51.101.1", new[] { "198.51.100.0/24" }, new string[0], false)]
    [InlineData("198.51.100.66", new[] { "198.51.100.0/24" }, new[] { "198.51.100.66" }, false)]
    [InlineData("203.0.113.1", new string[0], new[] { "203.0.113.0/24" }, false)]
    [InlineData("2001:db8::5", new[] { "2001:db8::/32" }, new string[0], true)]
    [InlineData("2001:db9::5", new[] { "2001:db8::/32" }, new string[0], false)]
    [InlineData("::ffff:203.0.113.1", new string[0], new[] { "203.0.113.0/24" }, false)]
    public void DenyWins_AndANonEmptyAllowListAdmitsOnlyItsMembers(string client, string[] allow, string[] deny, bool expected)
    {
        Assert.Equal(expected, Allowed(client, allow, deny));
    }

    [Fact]
    public void GlobalAndRouteLists_MustBothAdmit()
    {
        var settings = Compiled(new GatehouseConfig
        {
            AccessControl = new AccessControlDefinition { Deny = ["203.0.113.0/24"] },
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["admin"] = new() { AccessControl = new RouteAccessControlDefinition { Allow = ["10.0.0.0/8", "203.0.113.0/24"] } },
            },
        });
        var route = settings.ForRoute("ADMIN")!;

        Assert.True(AccessDecisions.IsAllowed(IPAddress.Parse("10.1.1.1"), route));
        Assert.False(AccessDecisions.IsAllowed(IPAddress.Parse("203.0.113.5"), route));
        Assert.False(AccessDecisions.IsAllowed(IPAddress.Parse("198.51.100.1"), route));
        Assert.False(AccessDecisions.IsAllowed(IPAddress.Parse("203.0.113.5"), settings.Unmatched));
    }

    [Fact]
    public void Methods_GetBringsHead_AndNamesAreUpperCased()
    {
        var methods = AccessDecisions.AcceptedMethods(["get", "POST"]);

        Assert.NotNull(methods);
        Assert.Equal(["GET", "HEAD", "POST"], methods.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("get", (IReadOnlySet<string>)methods);
        Assert.Null(AccessDecisions.AcceptedMethods([]));
    }

    [Fact]
    public void RouteWithNothingConfigured_HasNoRequestChecks()
    {
        var settings = Compiled(new GatehouseConfig { Routes = new Dictionary<string, RouteDefinition> { ["web"] = new() } });

        Assert.False(settings.ForRoute("web")!.HasRequestChecks);
        Assert.False(settings.Unmatched.HasRequestChecks);
        Assert.True(settings.TrustedProxies.IsEmpty);
        Assert.Same(SecurityHeaderRules.Defaults, settings.ForRoute("web")!.Headers);
    }

    [Fact]
    public void RouteSettings_AreResolved()
    {
        var settings = Compiled(new GatehouseConfig
        {
            RateLimits = new Dictionary<string, RateLimitDefinition> { ["per-ip"] = new() { Algorithm = "fixedWindow", PermitLimit = 5 } },
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["api"] = new()
                {
                    RateLimit = "per-ip",
                    AccessControl = new RouteAccessControlDefinition { Methods = ["GET", "DELETE"] },
                },
            },
        });
        var api = settings.ForRoute("api")!;

        Assert.True(api.HasRequestChecks);
        Assert.Same(settings.RateLimits["per-ip"], api.RateLimit);
        Assert.Equal("DELETE, GET, HEAD", api.AllowHeader);
    }

    [Fact]
    public void DefaultRateLimit_AppliesToRoutesThatNameNone_AndNoneOptsOut()
    {
        var settings = Compiled(new GatehouseConfig
        {
            RateLimits = new Dictionary<string, RateLimitDefinition>
            {
                ["per-ip"] = new() { Algorithm = "fixedWindow", PermitLimit = 5 },
                ["strict"] = new() { Algorithm = "fixedWindow", PermitLimit = 1 },
            },
            DefaultRateLimit = "per-ip",
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["plain"] = new(),
                ["own"] = new() { RateLimit = "strict" },
                ["free"] = new() { RateLimit = "none" },
            },
        });

        Assert.Equal("per-ip", settings.ForRoute("plain")!.RateLimit?.Name);
        Assert.Equal("strict", settings.ForRoute("own")!.RateLimit?.Name);
        Assert.Null(settings.ForRoute("free")!.RateLimit);
        Assert.False(settings.ForRoute("free")!.HasRequestChecks);
    }
}
