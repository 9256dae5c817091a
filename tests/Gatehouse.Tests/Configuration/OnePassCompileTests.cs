using Microsoft.Extensions.DependencyInjection;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
using Gatehouse.StaticFiles;

namespace Gatehouse.Tests.Configuration;

/// <summary>
/// Validation and compilation are one pass: each section is parsed once, by the check that reports its errors, and the
/// generation is built from the very objects that check produced (docs/architecture.md, "The config lifecycle").
/// </summary>
public class OnePassCompileTests
{
    private static GatehouseConfig Protected() => SampleConfig.Valid(route: SampleConfig.Route with
    {
        RateLimit = "per-client",
        AccessControl = new() { Deny = ["192.0.2.0/24", "2001:db8::/32"] },
    }) with
    {
        TrustedProxies = ["10.0.0.0/8"],
        AccessControl = new() { Allow = ["0.0.0.0/0", "::/0"] },
        RateLimits = new Dictionary<string, RateLimitDefinition>
        {
            ["per-client"] = new() { Algorithm = RateLimitAlgorithms.FixedWindow, PermitLimit = 10, Exempt = ["127.0.0.1"] },
        },
    };

    [Fact]
    public void Generation_HoldsTheIpListsAndPoliciesTheCheckParsed()
    {
        var config = Protected();
        var check = ConfigValidator.Check(config);
        Assert.Empty(check.Errors);

        var generation = GenerationCompiler.Compile(config, check.Parsed);

        var parsed = check.Parsed.Protection;
        Assert.Same(parsed.TrustedProxies, generation.Protection().TrustedProxies);
        Assert.Same(parsed.Allow, generation.Protection().Unmatched.GlobalAllow);
        Assert.Same(parsed.RateLimits["per-client"], generation.Protection().RateLimits["per-client"]);
        var route = generation.Routes["web"].Protection()!;
        Assert.Same(parsed.Routes["web"].Deny, route.Deny);
        Assert.Same(parsed.RateLimits["per-client"], route.RateLimit);
        Assert.Equal(2, route.Deny.Count);
        Assert.Equal(1, route.RateLimit!.Exempt.Count);
    }

    [Fact]
    public async Task StartUp_CompilesTheInitialGenerationFromTheCliCheck_NotFromASecondCheck()
    {
        // As `gatehouse run` does: the file's check, then a server built from its config and what the check parsed.
        var loaded = ConfigLoader.Parse("""
            { "listeners": [{ "address": "127.0.0.1", "port": 0 }], "trustedProxies": ["10.0.0.0/8"],
              "routes": { "r1": { "clusterId": "c", "match": { "pathPrefix": "/" }, "accessControl": { "deny": ["192.0.2.0/24"] } } },
              "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:1" } } } } }
            """);
        Assert.True(loaded.IsValid);

        await using var checkedOnce = Gatehouse.Hosting.GatehouseServer.Create(new ConfigSource(loaded.Config!, null), loaded.Parsed);
        await using var checkedAgain = Gatehouse.Hosting.GatehouseServer.Create(new ConfigSource(loaded.Config!, null));
        var once = checkedOnce.App.Services.GetRequiredService<Gatehouse.Runtime.GenerationHolder>().Current;
        var again = checkedAgain.App.Services.GetRequiredService<Gatehouse.Runtime.GenerationHolder>().Current;

        Assert.Same(loaded.Parsed!.Protection.TrustedProxies, once.Protection().TrustedProxies);
        Assert.Same(loaded.Parsed.Protection.Routes["r1"].Deny, once.Routes["r1"].Protection()!.Deny);
        Assert.NotSame(loaded.Parsed.Protection.TrustedProxies, again.Protection().TrustedProxies);
        Assert.Equal(once.Protection().TrustedProxies.Count, again.Protection().TrustedProxies.Count);
    }

    [Fact]
    public void Loader_ValidConfig_CarriesWhatItsCheckParsed_InvalidCarriesNothing()
    {
        const string valid = """
            { "listeners": [{ "address": "127.0.0.1", "port": 0 }], "trustedProxies": ["10.0.0.0/8", "fd00::/8"],
              "routes": { "r1": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:1" } } } } }
            """;

        var loaded = ConfigLoader.Parse(valid);
        var rejected = ConfigLoader.Parse(valid.Replace("fd00::/8", "fd00::/300", StringComparison.Ordinal));

        Assert.True(loaded.IsValid);
        Assert.Equal(2, loaded.Parsed!.Protection.TrustedProxies.Count);
        Assert.Same(loaded.Parsed.Protection.TrustedProxies, GenerationCompiler.Compile(loaded.Config!, loaded.Parsed).Protection().TrustedProxies);
        Assert.Null(rejected.Parsed);
        Assert.Equal([new ConfigError("trustedProxies[1]", "'fd00::/300' has a prefix length that is not 0 to 128")], rejected.Errors);
    }

    [Fact]
    public void IpListParse_OneCallGivesTheGoodEntriesAndAnErrorPerBadOne()
    {
        var errors = new List<ConfigError>();

        var list = IpNetworkList.Parse(["10.0.0.0/8", "not-an-address", "::1", "10.0.0.1/8"], "routes.r1.accessControl.deny", errors);

        Assert.Equal(2, list.Count);
        Assert.True(list.Contains(System.Net.IPAddress.Parse("10.9.9.9")));
        Assert.Equal(
            [
                new ConfigError("routes.r1.accessControl.deny[1]", "'not-an-address' is not an address or CIDR such as 10.0.0.0/8 or 2001:db8::/32"),
                new ConfigError("routes.r1.accessControl.deny[3]", "'10.0.0.1/8' has bits set past the prefix length; did you mean 10.0.0.0/8?"),
            ],
            errors);
    }

    [Fact]
    public void RateLimitParse_OneCallGivesThePolicyAndItsErrors()
    {
        var errors = new List<ConfigError>();
        var good = RateLimitPolicy.Parse("p", new() { Algorithm = "tokenBucket", Key = "header:X-Client", PermitLimit = 5, TokensPerPeriod = 2 }, "rateLimits.p", errors);
        Assert.Empty(errors);
        Assert.Equal((RateLimitAlgorithms.TokenBucket, RateLimitKeyKind.Header, "X-Client", 5, 2), (good.Algorithm, good.Key.Kind, good.Key.Name, good.PermitLimit, good.TokensPerPeriod));

        RateLimitPolicy.Parse("q", new() { Algorithm = "fixedWindow", Key = "header:", Window = Duration.Parse("0s"), Exempt = ["x"] }, "rateLimits.q", errors);

        Assert.Equal(["rateLimits.q.key", "rateLimits.q.permitLimit", "rateLimits.q.window", "rateLimits.q.exempt[0]"], errors.Select(e => e.Path));
    }

    [Fact]
    public void FilesRoute_TakesScriptExtensionsFromItsCompiledFastCgiCluster()
    {
        var config = SampleConfig.Valid(
            route: SampleConfig.Route with { ClusterId = "api", Files = new() { Root = "/srv/www" } },
            cluster: new ClusterDefinition
            {
                Protocol = ClusterProtocols.FastCgi,
                FastCgi = new() { Root = "/srv/www", SplitPath = [".php", ".phtml"] },
                Destinations = SampleConfig.Destinations(new DestinationDefinition { Address = "fastcgi://127.0.0.1:9000" }),
            });

        var generation = GenerationCompiler.Compile(config);

        Assert.Equal([".php", ".phtml"], generation.Cluster<Gatehouse.Forwarding.FastCgiSettings>("api")!.SplitPath);
        Assert.Equal([".php", ".phtml"], generation.Routes["web"].Get<RouteStaticFiles>()!.ScriptExtensions);
    }

    [Fact]
    public void Generation_HoldsTheRouteCacheAndForwardingSettingsTheCheckParsed()
    {
        var config = SampleConfig.Valid(route: SampleConfig.Route with
        {
            Timeout = Duration.Parse("7s"),
            Cache = new() { Enabled = true, KeyHeaders = ["Accept-Language"], HeuristicMaxLifetime = Duration.Parse("1h") },
        });
        var check = ConfigValidator.Check(config);
        Assert.Empty(check.Errors);

        var route = GenerationCompiler.Compile(config, check.Parsed).Routes["web"];

        Assert.Same(check.Parsed.RouteForwardings["web"], route.Get<Gatehouse.Forwarding.RouteForwarding>());
        Assert.Equal(TimeSpan.FromSeconds(7), route.Get<Gatehouse.Forwarding.RouteForwarding>()!.Timeout);
        Assert.Same(check.Parsed.RouteCaches["web"], route.Get<Gatehouse.Caching.Middleware.HttpCacheRouteSettings>());
        Assert.Equal(TimeSpan.FromHours(1), check.Parsed.RouteCaches["web"]!.Policy.HeuristicMaxLifetime);
    }

    [Fact]
    public void RouteCacheParse_OneCallGivesTheErrorsWithTheirPaths_AndNoSettingsForAnUncachedRoute()
    {
        var errors = new List<ConfigError>();

        var settings = Gatehouse.RouteCaching.RouteCacheSettings.Parse(
            new() { Enabled = false, KeyHeaders = ["ok", "not a name"], HeuristicFraction = 2 }, new CacheDefinition(), "routes.r1.cache", errors);

        Assert.Null(settings);
        Assert.Equal(
            [
                new ConfigError("routes.r1.cache.heuristicFraction", "2 is out of range (0 to 1)"),
                new ConfigError("routes.r1.cache.keyHeaders[1]", "'not a name' is not a header name"),
            ],
            errors);
    }
}
