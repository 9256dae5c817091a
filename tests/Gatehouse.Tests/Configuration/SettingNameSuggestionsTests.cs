using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class SettingNameSuggestionsTests
{
    [Fact]
    public void MisspelledSettings_GetTheOneMeant_AndNoSecondError()
    {
        // Without the suggestion each typo also left its section failing a rule of its own: "a route must match on
        // path, pathPrefix or hosts", "address: required", "listeners: at least one listener is required".
        var result = ConfigLoader.Parse("""
            {
              "listener": [ { "address": "127.0.0.1", "port": 8080 } ],
              "routes": { "all": { "clusterId": "app", "match": { "pathPrefx": "/" } } },
              "clusters": { "app": { "destinations": { "a": { "adress": "http://127.0.0.1:9001" } } } }
            }
            """);

        Assert.Equal(
            [
                "listener: unknown setting; did you mean 'listeners'?",
                "routes.all.match.pathPrefx: unknown setting; did you mean 'pathPrefix'?",
                "clusters.app.destinations.a.adress: unknown setting; did you mean 'address'?",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void AnUnknownSettingLikeNoKnownOne_GetsNoSuggestion_AndOtherErrorsStay()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 8080 } ],
              "routes": { "all": { "clusterId": "app", "match": { } } },
              "clusters": { "app": { "colour": "blue", "destinations": { "a": { "address": "http://127.0.0.1:9001" } } } }
            }
            """);

        Assert.Equal(
            ["routes.all.match: a route must match on path, pathPrefix or hosts", "clusters.app.colour: unknown setting"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void KnownNames_AreTheSectionsJsonNames()
    {
        Assert.Equal(["name", "address", "port", "tls", "proxyProtocol", "protocols"], SettingNameSuggestions.KnownNames(typeof(ListenerDefinition)));
        Assert.Contains("$schema", SettingNameSuggestions.KnownNames(typeof(GatehouseConfig)));
    }

    [Theory]
    [InlineData("pathPrefx", "pathPrefix")]
    [InlineData("PATHPREFX", "pathPrefix")]
    [InlineData("pahtPrefix", "pathPrefix")] // two letters swapped: one edit
    [InlineData("host", "hosts")]
    [InlineData("paht", "path")]
    [InlineData("methdos", "methods")]
    [InlineData("colour", null)]
    [InlineData("x", null)]
    public void Closest_SuggestsOnlyWhatATypoExplains(string unknown, string? expected)
    {
        Assert.Equal(expected, SettingNameSuggestions.Closest(unknown, SettingNameSuggestions.KnownNames(typeof(RouteMatchDefinition))));
    }
}

public class LogSectionValidationTests
{
    [Fact]
    public void LogFormatAndLevel_AreChecked()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 8080 } ],
              "log": { "format": "logfmt", "level": "verbose" }
            }
            """);

        Assert.Equal(["log.format: 'logfmt' is not text or json", "log.level: 'verbose' is not one of debug, information, warning, error"], result.Errors.Select(e => e.ToString()));
    }
}
