using Gatehouse.Caching.Middleware;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class CacheAndAdminValidationTests
{
    [Fact]
    public void Validate_CacheEntryLargerThanTheStore_IsReported()
    {
        var errors = ConfigValidator.Validate(SampleConfig.Valid() with { Cache = new CacheDefinition { MaxBytes = ByteSize.Parse("1MB"), MaxEntryBytes = ByteSize.Parse("2MB") } });

        Assert.Contains(errors, e => e.Path == "cache.maxEntryBytes");
    }

    [Fact]
    public void Validate_RouteCacheSettings_ReportsEachBadOneWithItsPath()
    {
        var route = SampleConfig.Route with
        {
            Cache = new RouteCacheDefinition
            {
                Enabled = true,
                HeuristicFraction = 2,
                KeyHeaders = ["Bad Header"],
                KeyCookies = [""],
                TagHeader = "Cache Tag",
                MaxStaleOnError = Duration.Parse("forever"),
                IgnoreQueryParameters = [""],
            },
        };

        var paths = ConfigValidator.Validate(SampleConfig.Valid(route: route)).Select(e => e.Path).ToList();

        Assert.Contains("routes.web.cache.heuristicFraction", paths);
        Assert.Contains("routes.web.cache.keyHeaders[0]", paths);
        Assert.Contains("routes.web.cache.keyCookies[0]", paths);
        Assert.Contains("routes.web.cache.tagHeader", paths);
        Assert.Contains("routes.web.cache.maxStaleOnError", paths);
        Assert.Contains("routes.web.cache.ignoreQueryParameters[0]", paths);
    }

    [Fact]
    public void Validate_AdminOffLoopbackWithoutToken_IsRefused()
    {
        var errors = ConfigValidator.Validate(SampleConfig.Valid() with { Admin = new AdminDefinition { Address = "0.0.0.0", Port = 9901 } });

        Assert.Contains(errors, e => e.Path == "admin.token");
    }

    [Fact]
    public void Validate_AdminOnLoopbackWithoutToken_IsAccepted() =>
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid() with { Admin = new AdminDefinition { Port = 9901 } }));

    [Fact]
    public void Validate_AdminPortTakenByAListener_IsReported()
    {
        var config = SampleConfig.Valid();
        var port = config.Listeners[0].Port!.Value;

        var errors = ConfigValidator.Validate(config with { Admin = new AdminDefinition { Address = config.Listeners[0].Address, Port = port } });

        Assert.Contains(errors, e => e.Path == "admin.port");
    }

    [Fact]
    public void RuntimeSettings_EnabledRouteCache_BecomesCacheSettingsWithTheOwnTargetedFieldFirst()
    {
        var route = SampleConfig.Route with { Cache = new RouteCacheDefinition { Enabled = true, KeyHeaders = ["X-Device"], TagHeader = "" } };
        var generation = GenerationCompiler.Compile(SampleConfig.Valid(route: route) with { Cache = new CacheDefinition { TargetedField = "Edge-Cache-Control" } });

        var cache = generation.Routes["web"].Get<HttpCacheRouteSettings>();
        Assert.NotNull(cache);
        Assert.Equal(["Edge-Cache-Control", "CDN-Cache-Control"], cache.Policy.TargetedFieldNames);
        Assert.Equal("Edge-Cache-Control", cache.OwnTargetedField);
        Assert.Equal(["X-Device"], cache.Key.Headers);
        Assert.Null(cache.TagHeader);
    }

    [Fact]
    public void RuntimeSettings_RouteWithoutCache_HasNoCacheSettings() =>
        Assert.Null(GenerationCompiler.Compile(SampleConfig.Valid()).Routes["web"].Get<HttpCacheRouteSettings>());
}
