using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class ConfigLoaderTests
{
    private const string ValidJson = """
        {
          "$schema": "./gatehouse.schema.json",
          // Comments are allowed, as are trailing commas.
          "listeners": [ { "address": "0.0.0.0", "port": 8080, }, ],
          "routes": {
            "web": {
              "clusterId": "api",
              "order": 10,
              "match": { "pathPrefix": "/api", "methods": [ "GET", "POST" ] },
              "timeout": "30s",
            },
          },
          /* block comments too */
          "clusters": {
            "api": {
              "loadBalancingPolicy": "WeightedRoundRobin",
              "destinations": {
                "d1": { "address": "http://127.0.0.1:5001", "weight": 3 },
                "d2": { "address": "http://127.0.0.1:5002" },
              },
              "healthCheck": { "active": { "enabled": true, "interval": "250ms", "path": "/healthz" } },
              "retry": { "maxAttempts": 2, "statuses": [ 502, 503 ] },
            },
          },
          "accessLog": { "format": "json" },
          "server": { "drainTimeout": "5s" },
        }
        """;

    [Fact]
    public void Parse_ValidConfigWithCommentsAndTrailingCommas_GivesConfig()
    {
        var result = ConfigLoader.Parse(ValidJson);

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        var config = result.Config!;
        var listener = Assert.Single(config.Listeners);
        Assert.Equal("0.0.0.0", listener.Address);
        Assert.Equal(8080, listener.Port);
        var route = config.Routes["web"];
        Assert.Equal("api", route.ClusterId);
        Assert.Equal(10, route.Order);
        Assert.Equal("/api", route.Match.PathPrefix);
        Assert.Equal(["GET", "POST"], route.Match.Methods!);
        Assert.Equal(TimeSpan.FromSeconds(30), route.Timeout!.Value.Value);
        var cluster = config.Clusters["api"];
        Assert.Equal("WeightedRoundRobin", cluster.LoadBalancingPolicy);
        Assert.Equal(3, cluster.Destinations["d1"].Weight);
        Assert.Equal(1, cluster.Destinations["d2"].Weight);
        Assert.True(cluster.HealthCheck.Active.Enabled);
        Assert.Equal(TimeSpan.FromMilliseconds(250), cluster.HealthCheck.Active.Interval.Value);
        Assert.Equal("/healthz", cluster.HealthCheck.Active.Path);
        Assert.Equal(2, cluster.Retry.MaxAttempts);
        Assert.Equal([502, 503], cluster.Retry.Statuses);
        Assert.Equal(AccessLogFormats.Json, config.AccessLog.Format);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Server.DrainTimeout.Value);
    }

    [Fact]
    public void Parse_OmittedSettings_TakeDefaults()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 8080 } ],
              "routes": { "web": { "clusterId": "api", "match": { "path": "/{**rest}" } } },
              "clusters": { "api": { "destinations": { "d1": { "address": "http://127.0.0.1:5001" } } } }
            }
            """);

        Assert.True(result.IsValid);
        var config = result.Config!;
        Assert.Equal("127.0.0.1", config.Listeners[0].Address);
        var cluster = config.Clusters["api"];
        Assert.Null(cluster.LoadBalancingPolicy);
        Assert.Equal(AllUnhealthyModes.Panic, cluster.HealthCheck.WhenAllUnhealthy);
        Assert.False(cluster.HealthCheck.Active.Enabled);
        Assert.True(cluster.HealthCheck.Passive.Enabled);
        Assert.Equal(3, cluster.Retry.MaxAttempts);
        Assert.Equal([502, 503, 504], cluster.Retry.Statuses);
        Assert.Equal("1.1", cluster.HttpRequest.Version);
        Assert.Equal(TimeSpan.FromSeconds(5), cluster.HttpClient.ConnectTimeout.Value);
        Assert.True(config.AccessLog.Enabled);
        Assert.Equal(AccessLogFormats.Combined, config.AccessLog.Format);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Server.DrainTimeout.Value);
    }

    [Fact]
    public void Parse_PropertyNamesInOtherCase_AreAccepted()
    {
        var result = ConfigLoader.Parse("""
            {
              "Listeners": [ { "Port": 8080 } ],
              "Routes": { "web": { "ClusterId": "api", "Match": { "PathPrefix": "/" } } },
              "Clusters": { "api": { "Destinations": { "d1": { "Address": "http://127.0.0.1:5001" } } } }
            }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("api", result.Config!.Routes["web"].ClusterId);
    }

    [Fact]
    public void Parse_InvalidJson_ReportsLineAndNoConfig()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 8080 } ]
              "routes": {}
            }
            """);

        Assert.Null(result.Config);
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found by the config fuzz target: a \u escape of half a surrogate pair is valid JSON syntax, but reading it as a
    /// .NET string throws InvalidOperationException, which escaped the loader (and so `gatehouse check` and a reload).
    /// </summary>
    [Theory]
    [InlineData("{\n  \"routes\": {\n    \"\\ud800\": { \"clusterId\": \"a\" }\n  }\n}", "routes", 3, 5)]
    [InlineData("{ \"routes\": { \"a\": { \"clusterId\": \"x\\udc00y\" } } }", "routes.a.clusterId", 1, 35)]
    [InlineData("{ \"listeners\": [ { \"name\": \"\\ud83d\" } ] }", "listeners[0].name", 1, 28)]
    public void Parse_HalfASurrogatePair_IsAnErrorWithItsPath_NotAnException(string json, string path, int line, int column)
    {
        var error = Assert.Single(ConfigLoader.Parse(json).Errors);

        Assert.Equal(path, error.Path);
        Assert.StartsWith($"not valid JSON (line {line}, column {column}): a string holds half of a UTF-16 surrogate pair", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingComma_NamesTheSettingBefore_AndWhatWasExpected()
    {
        // System.Text.Json places this error at "$": the path comes from Gatehouse's own reading of the text.
        var result = ConfigLoader.Parse("{\n  \"listeners\": [ { \"port\": 8080 } ]\n  \"routes\": {}\n}");

        Assert.Equal(
            "listeners: not valid JSON (line 3, column 3): expected ',' or '}' after this value, found '\"' (is a comma missing?); the line reads: \"routes\": {}",
            Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("{ \"routes\": { \"a\": { \"match\": { \"pathPrefix\": / } } } }", "routes.a.match.pathPrefix", "expected a value (a \"string\", a number, true, false, null, an object or an array), found '/'")]
    [InlineData("{ \"listeners\": [ { \"port\": 1 } { \"port\": 2 } ] }", "listeners[0]", "expected ',' or ']' after this value, found '{'")]
    [InlineData("{ listeners: [] }", "", "expected a setting name in double quotes, found 'l'")]
    [InlineData("{ \"listeners\": [ { \"port\": 1 }", "listeners[0]", "the file ends before every { and [ is closed")]
    [InlineData("", "", "the file is empty")]
    public void Parse_SyntaxErrors_NameThePath_AndSayWhatWasExpected(string json, string path, string expected)
    {
        var error = Assert.Single(ConfigLoader.Parse(json).Errors);

        Assert.Equal(path, error.Path);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedJson_ReportsNotValidJson()
    {
        var result = ConfigLoader.Parse("""{ "listeners": [ { "port": 8080 }""");

        Assert.Null(result.Config);
        Assert.Contains("not valid JSON", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyText_ReportsNotValidJson()
    {
        var result = ConfigLoader.Parse("");

        Assert.Null(result.Config);
        Assert.Contains("not valid JSON", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonNull_ReportsMustBeObject()
    {
        var result = ConfigLoader.Parse("null");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("", error.Path);
        Assert.Equal("the config must be a JSON object", error.Message);
    }

    [Fact]
    public void Parse_WeightAsString_ReportsDottedPathLineAndExpectedType()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 8080 } ],
              "clusters": {
                "api": {
                  "destinations": {
                    "d1": { "address": "http://127.0.0.1:5001", "weight": "3" }
                  }
                }
              }
            }
            """);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("clusters.api.destinations.d1.weight", error.Path);
        Assert.Contains("wrong type of value", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a whole number", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 6", error.Message, StringComparison.Ordinal);
        Assert.Equal($"clusters.api.destinations.d1.weight: {error.Message}", error.ToString());
    }

    [Theory]
    [InlineData("""{ "listeners": [ { "port": "8080" } ] }""", "listeners[0].port", "expected a whole number")]
    [InlineData("""{ "accessLog": { "enabled": "yes" } }""", "accessLog.enabled", "expected true or false")]
    [InlineData("""{ "routes": { "web": { "clusterId": 5 } } }""", "routes.web.clusterId", "expected a string")]
    [InlineData("""{ "routes": [] }""", "routes", "expected an object")]
    [InlineData("""{ "listeners": {} }""", "listeners", "expected an array")]
    [InlineData("""{ "routes": { "web": { "match": "/api" } } }""", "routes.web.match", "expected an object")]
    [InlineData("""{ "routes": { "web": { "match": { "methods": "GET" } } } }""", "routes.web.match.methods", "expected an array")]
    [InlineData("""{ "clusters": { "api": { "retry": { "budget": { "percent": "20" } } } } }""", "clusters.api.retry.budget.percent", "expected a number")]
    [InlineData("""{ "clusters": { "api": { "retry": { "statuses": [ 502, "503" ] } } } }""", "clusters.api.retry.statuses[1]", "expected a whole number")]
    [InlineData("""{ "clusters": { "api": { "httpClient": { "maxConnectionsPerServer": 1.5 } } } }""", "clusters.api.httpClient.maxConnectionsPerServer", "expected a whole number")]
    public void Parse_WrongType_ReportsPathAndExpectedType(string json, string path, string expected)
    {
        var result = ConfigLoader.Parse(json);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DestinationIdWithSpace_PathKeepsTheId()
    {
        var result = ConfigLoader.Parse("""{ "clusters": { "api": { "destinations": { "d 1": { "weight": true } } } } }""");

        Assert.Equal("clusters.api.destinations.d 1.weight", Assert.Single(result.Errors).Path);
    }

    [Fact]
    public void Parse_UnknownSettingsAtEveryDepth_ReportsEachWithItsPath()
    {
        var result = ConfigLoader.Parse("""
            {
              "listner": [],
              "listeners": [ { "port": 8080, "host": "x" } ],
              "routes": {
                "web": {
                  "clusterId": "api",
                  "cluster": "api",
                  "match": { "pathPrefix": "/", "prefix": "/", "headers": [ { "name": "X-A", "mode": "Exists", "ignoreCase": true } ] },
                  "retry": { "tries": 2 }
                }
              },
              "clusters": {
                "api": {
                  "lb": "RoundRobin",
                  "sessionAffinity": { "cookie": "x" },
                  "destinations": { "d1": { "address": "http://127.0.0.1:5001", "wieght": 2 } },
                  "healthCheck": {
                    "mode": "x",
                    "active": { "intervall": "5s" },
                    "passive": { "failures": 3 }
                  },
                  "retry": { "attempts": 2, "budget": { "ratio": 0.2 } },
                  "httpClient": { "timeout": "1s" },
                  "httpRequest": { "http2": true }
                }
              },
              "accessLog": { "file": "x.log" },
              "server": { "port": 1 }
            }
            """);

        Assert.Null(result.Config);
        Assert.All(result.Errors, e => Assert.StartsWith("unknown setting", e.Message, StringComparison.Ordinal));
        Assert.Equal(
            [
                "accessLog.file",
                "clusters.api.destinations.d1.wieght",
                "clusters.api.healthCheck.active.intervall",
                "clusters.api.healthCheck.mode",
                "clusters.api.healthCheck.passive.failures",
                "clusters.api.httpClient.timeout",
                "clusters.api.httpRequest.http2",
                "clusters.api.lb",
                "clusters.api.retry.attempts",
                "clusters.api.retry.budget.ratio",
                "clusters.api.sessionAffinity.cookie",
                "listeners[0].host",
                "listner",
                "routes.web.cluster",
                "routes.web.match.headers[0].ignoreCase",
                "routes.web.match.prefix",
                "routes.web.retry.tries",
                "server.port",
            ],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_SchemaProperty_IsNotUnknown()
    {
        var result = ConfigLoader.Parse("""{ "$schema": "x", "listeners": [] }""");

        Assert.Equal("listeners", Assert.Single(result.Errors).Path);
        Assert.Equal("x", ConfigLoader.Parse(ValidJson.Replace("./gatehouse.schema.json", "x", StringComparison.Ordinal)).Config!.Schema);
    }

    [Fact]
    public void Parse_DurationAsBareNumber_ReportedByValidatorWithPath()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 8080 } ],
              "routes": { "web": { "clusterId": "api", "match": { "pathPrefix": "/" }, "timeout": 30 } },
              "clusters": { "api": { "destinations": { "d1": { "address": "http://127.0.0.1:5001" } }, "healthCheck": { "active": { "interval": 5 } } } }
            }
            """);

        Assert.Null(result.Config);
        Assert.Equal(
            ["clusters.api.healthCheck.active.interval", "routes.web.timeout"],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(result.Errors, e => Assert.Contains("is not a duration", e.Message, StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message.StartsWith("'5'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "listeners": null }""", "listeners")]
    [InlineData("""{ "routes": null }""", "routes")]
    [InlineData("""{ "routes": { "web": { "clusterId": "api", "match": null } } }""", "routes.web.match")]
    [InlineData("""{ "clusters": { "api": { "destinations": null } } }""", "clusters.api.destinations")]
    [InlineData("""{ "clusters": { "api": { "healthCheck": null } } }""", "clusters.api.healthCheck")]
    [InlineData("""{ "clusters": { "api": { "retry": { "statuses": null } } } }""", "clusters.api.retry.statuses")]
    [InlineData("""{ "accessLog": { "format": null } }""", "accessLog.format")]
    public void Parse_NullForASection_ReportsPathInsteadOfThrowing(string json, string path)
    {
        var result = ConfigLoader.Parse(json);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains("must not be null", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "listeners": [ null ] }""", "listeners[0]")]
    [InlineData("""{ "routes": { "web": null } }""", "routes.web")]
    [InlineData("""{ "clusters": { "api": null } }""", "clusters.api")]
    [InlineData("""{ "clusters": { "api": { "destinations": { "d1": null } } } }""", "clusters.api.destinations.d1")]
    [InlineData("""{ "routes": { "web": { "clusterId": "api", "match": { "path": "/", "headers": [ null ] } } } }""", "routes.web.match.headers[0]")]
    [InlineData("""{ "routes": { "web": { "clusterId": "api", "match": { "path": "/" }, "transforms": [ null ] } } }""", "routes.web.transforms[0]")]
    public void Parse_NullListOrMapEntry_ReportsMustBeObject(string json, string path)
    {
        var result = ConfigLoader.Parse(json);

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains("must be an object", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ValidJsonButInvalidConfig_GivesEveryValidatorError()
    {
        var result = ConfigLoader.Parse("""{ "listeners": [], "routes": { "web": { "match": { "path": "/" } } } }""");

        Assert.Null(result.Config);
        Assert.Equal(["listeners", "routes.web.clusterId"], result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("$.clusters.api.destinations.d1.weight", "clusters.api.destinations.d1.weight")]
    [InlineData("$.clusters.api.destinations['d 1'].weight", "clusters.api.destinations.d 1.weight")]
    [InlineData("$.listeners[0].port", "listeners[0].port")]
    [InlineData("$['$schema']", "$schema")]
    [InlineData("$", "")]
    public void JsonPathToConfigPath_ConvertsToDottedPath(string jsonPath, string expected)
    {
        Assert.Equal(expected, ConfigLoader.JsonPathToConfigPath(jsonPath));
    }

    [Fact]
    public void LoadFile_Missing_ReportsPathAndCannotRead()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gatehouse-missing-{Guid.NewGuid():N}.json");

        var result = ConfigLoader.LoadFile(path);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.StartsWith("cannot read the config file", error.Message, StringComparison.Ordinal);
    }
}
