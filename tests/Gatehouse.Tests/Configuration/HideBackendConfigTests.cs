using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
using Gatehouse.Runtime;

namespace Gatehouse.Tests.Configuration;

public class HideBackendConfigTests
{
    [Fact]
    public void Defaults_AreValid_AndHideEverythingButVia()
    {
        var config = SampleConfig.Valid();
        var settings = HideBackendSettings.From(config);

        Assert.Empty(ConfigValidator.Validate(config));
        Assert.True(settings.Headers.ShouldRemove("Server"));
        Assert.True(settings.RewriteLocations);
        Assert.True(settings.RewriteCookieDomains);
        Assert.True(settings.ErrorPages.Enabled);
        // Only a 500 page for people is replaced by default; a backend's other pages are its content.
        Assert.False(settings.ErrorPages.Statuses.Contains(500));
        Assert.True(settings.ErrorPages.PageStatuses.Contains(500));
        Assert.False(settings.ErrorPages.PageStatuses.Contains(404));
        Assert.False(settings.ErrorPages.PageStatuses.Contains(503));
        Assert.Null(settings.Via);
    }

    [Fact]
    public void Validate_BadSettings_AreReportedWithTheirPaths()
    {
        var config = SampleConfig.Valid() with
        {
            HideBackend = new HideBackendDefinition
            {
                RemoveHeaders = ["Server", "Bad Header", "X-*-Middle", "*", ""],
                KeepHeaders = ["ok", "no:colon"],
                ReplaceErrorPages = new ReplaceErrorPagesDefinition { Statuses = [new("5xx"), new("200")], PageStatuses = [new("4x4")] },
                Via = "gate house",
            },
        };

        var paths = ConfigValidator.Validate(config).Select(e => e.Path).ToList();

        Assert.Equal(
            [
                "hideBackend.removeHeaders[1]", "hideBackend.removeHeaders[2]", "hideBackend.removeHeaders[3]", "hideBackend.removeHeaders[4]",
                "hideBackend.keepHeaders[1]", "hideBackend.replaceErrorPages.statuses[1]", "hideBackend.replaceErrorPages.pageStatuses[0]", "hideBackend.via",
            ],
            paths);
    }

    [Fact]
    public void Validate_RouteOverride_BadStatusIsReportedUnderTheRoute()
    {
        var route = SampleConfig.Route with
        {
            HideBackend = new RouteHideBackendDefinition { ReplaceErrorPages = new RouteReplaceErrorPagesDefinition { Statuses = [new("302")] } },
        };

        var errors = ConfigValidator.Validate(SampleConfig.Valid(route: route));

        Assert.Equal("routes.web.hideBackend.replaceErrorPages.statuses[0]", Assert.Single(errors).Path);
    }

    [Fact]
    public void Parse_StatusesAsNumbersOrStrings()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 0 } ],
              "routes": { "r": { "clusterId": "c", "match": { "pathPrefix": "/" }, "hideBackend": { "replaceErrorPages": { "enabled": false } } } },
              "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:9001" } } } },
              "hideBackend": { "replaceErrorPages": { "statuses": [ 500, "502" ], "pageStatuses": [ "4xx" ] }, "via": "gatehouse" }
            }
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var settings = HideBackendSettings.From(result.Config!);
        Assert.True(settings.ErrorPages.Statuses.Contains(500));
        Assert.True(settings.ErrorPages.Statuses.Contains(502));
        Assert.False(settings.ErrorPages.Statuses.Contains(503));
        Assert.True(settings.ErrorPages.PageStatuses.Contains(422));
        Assert.False(settings.ErrorPagesFor("r").Enabled);
        Assert.True(settings.ErrorPagesFor("other").Enabled);
        Assert.Equal("gatehouse", settings.Via!.Name);
    }

    [Fact]
    public void Parse_StatusOfTheWrongKind_IsReportedNotThrown()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 0 } ],
              "routes": { "r": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:9001" } } } },
              "hideBackend": { "replaceErrorPages": { "statuses": [ true, 5.5 ] } }
            }
            """);

        Assert.Equal(["hideBackend.replaceErrorPages.statuses[0]", "hideBackend.replaceErrorPages.statuses[1]"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Parse_NullsInLists_AreReportedNotThrown()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 0 } ],
              "routes": { "r": { "clusterId": "c", "match": { "pathPrefix": "/" }, "hideBackend": { "replaceErrorPages": null } } },
              "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:9001" } } } },
              "hideBackend": { "removeHeaders": [ null ], "replaceErrorPages": { "pageStatuses": [ null ] }, "via": "" }
            }
            """);

        Assert.Equal(
            ["hideBackend.removeHeaders[0]", "hideBackend.replaceErrorPages.pageStatuses[0]", "hideBackend.via"],
            result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void From_RouteOverride_InheritsWhatItLeavesOut()
    {
        var config = SampleConfig.Valid(route: SampleConfig.Route with
        {
            HideBackend = new RouteHideBackendDefinition { ReplaceErrorPages = new RouteReplaceErrorPagesDefinition { PageStatuses = [] } },
        }) with
        {
            HideBackend = new HideBackendDefinition { ReplaceErrorPages = new ReplaceErrorPagesDefinition { Statuses = [new("503")] } },
        };

        var policy = HideBackendSettings.From(config).ErrorPagesFor("WEB");

        Assert.True(policy.Enabled);
        Assert.True(policy.Statuses.Contains(503));
        Assert.False(policy.Statuses.Contains(500));
        Assert.False(policy.PageStatuses.Contains(500));
    }

    [Fact]
    public void From_ClusterOrigins_AreTheDestinationAddresses()
    {
        var settings = HideBackendSettings.From(SampleConfig.Valid());

        Assert.True(settings.OriginsOf("api").Matches("127.0.0.1", 5001, 80));
        Assert.True(settings.OriginsOf("missing").IsEmpty);
    }

    [Fact]
    public void Generation_CarriesTheHideBackendSettings()
    {
        var generation = GenerationCompiler.Compile(SampleConfig.Valid() with { HideBackend = new HideBackendDefinition { Via = "edge" } });

        Assert.Equal("edge", generation.Get<HideBackendSettings>()!.Via!.Name);
        Assert.Null(Generation.Empty.Get<HideBackendSettings>());
    }
}
