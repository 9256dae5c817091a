using System.Net;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Observability;

/// <summary>The questions an operator asks of the access log and of Gatehouse's own log, answered by a real Gatehouse.</summary>
public sealed class AccessLogAnswersTests
{
    [Fact]
    public async Task EveryLine_NamesItsRoute_CacheOutcome_Destination_UpstreamTime_AndAttempts()
    {
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            context.Response.Headers.CacheControl = "public, max-age=60";
            return context.Response.WriteAsync("b");
        });
        var logPath = Path.Combine(Path.GetTempPath(), $"gatehouse-access-{Guid.NewGuid():N}.log");
        var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "format": "json", "path": "{{logPath}}" },
              "rateLimits": { "one": { "algorithm": "fixedWindow", "permitLimit": 1, "window": "1h" } },
              "routes": {
                "all": { "clusterId": "c", "match": { "pathPrefix": "/" } },
                "cached": { "clusterId": "c", "match": { "pathPrefix": "/cached" }, "cache": { "enabled": true } },
                "denied": { "clusterId": "c", "match": { "pathPrefix": "/denied" }, "accessControl": { "deny": ["127.0.0.0/8"] } },
                "limited": { "clusterId": "c", "match": { "pathPrefix": "/limited" }, "rateLimit": "one" }
              },
              "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """);
        try
        {
            foreach (var (path, status) in new[]
            {
                ("/plain", HttpStatusCode.OK), ("/cached/a", HttpStatusCode.OK), ("/cached/a", HttpStatusCode.OK),
                ("/denied", HttpStatusCode.Forbidden), ("/limited", HttpStatusCode.OK), ("/limited", HttpStatusCode.TooManyRequests),
            })
            {
                using var response = await proxy.Client.GetAsync(path);
                Assert.Equal(status, response.StatusCode);
            }
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        var lines = (await File.ReadAllLinesAsync(logPath)).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        File.Delete(logPath);
        Assert.Equal(6, lines.Count);
        string Describe(JsonElement e) => string.Join(' ', new[] { "uri", "status", "route", "cluster", "destination", "cache", "attempts" }
            .Select(name => e.GetProperty(name) is { ValueKind: JsonValueKind.Null } ? "-" : e.GetProperty(name).ToString()));

        Assert.Equal(
            [
                "/plain 200 all c d1 - 1",
                "/cached/a 200 cached c d1 miss 1",
                "/cached/a 200 cached c - hit 0",
                "/denied 403 denied c - - 0",
                "/limited 200 limited c d1 - 1",
                "/limited 429 limited c - - 0",
            ],
            lines.Select(Describe));
        // Upstream time: measured when a destination was asked, absent when none was.
        Assert.All(lines.Where(e => e.GetProperty("attempts").GetInt32() > 0), e => Assert.True(e.GetProperty("upstream_ms").GetDouble() > 0));
        Assert.All(lines.Where(e => e.GetProperty("attempts").GetInt32() == 0), e => Assert.Equal(JsonValueKind.Null, e.GetProperty("upstream_ms").ValueKind));
    }

    [Fact]
    public async Task AFailedAttemptsWarning_CarriesTheRequestIdTheClientWasShown()
    {
        var logs = new CapturedLogs();
        var closed = TestBackend.UnusedPort();
        await using var proxy = await TestProxy.StartAsync(
            Configs.SingleCluster($$"""      "gone": { "address": "http://127.0.0.1:{{closed}}/" }"""),
            builder => builder.Logging.AddProvider(logs));

        using var response = await proxy.Client.GetAsync("/page");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Contains($"GET /page (request {id}): attempt 1 to c/gone failed", warning, StringComparison.Ordinal);
    }
}
