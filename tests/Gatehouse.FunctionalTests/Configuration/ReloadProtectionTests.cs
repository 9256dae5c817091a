using System.Collections.Concurrent;
using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Protection;

namespace Gatehouse.FunctionalTests.Configuration;

/// <summary>
/// A reload never opens a protected route, not even for one request (issue 13): protected routes are renamed, reordered,
/// added and removed many times while unauthenticated requests run in a loop, and every answer must carry the
/// protection its path was due (401 for basic auth, 403 for the deny list, at most the policy's permits for the rate
/// limit), or be a 503 for a route that no longer existed.
/// </summary>
public sealed class ReloadProtectionTests
{
    private const int Reloads = 120;
    private const int Permits = 3;

    [Fact]
    public async Task ProtectedRoutesRenamedReorderedAddedAndRemoved_UnderLoad_NoRequestEscapesItsProtection()
    {
        await using var backend = await TestBackend.StartAsync("backend");
        var hash = PasswordHash.Create("s3cret", iterations: 1_000);
        await using var proxy = await TestProxy.StartAsync(Config(backend, hash, 0));

        var statuses = new ConcurrentDictionary<(string Path, HttpStatusCode Status), int>();
        using var answered = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string[] paths = ["/secret/page", "/denied/page", "/limited/page"];
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            using var client = proxy.CreateClient();
            for (var i = w; !stop.IsCancellationRequested && i < 1_000_000; i++)
            {
                var path = paths[i % paths.Length];
                try
                {
                    using var response = await client.GetAsync(path, stop.Token);
                    statuses.AddOrUpdate((path, response.StatusCode), 1, (_, n) => n + 1);
                    answered.Release();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            }
        })).ToList();

        for (var reload = 1; reload <= Reloads; reload++)
        {
            await File.WriteAllTextAsync(proxy.ConfigPath, Config(backend, hash, reload));
            var outcome = await proxy.Reloader.ReloadAsync("test");
            Assert.True(outcome.Applied, string.Join("; ", outcome.Errors));
            // Let requests run against each generation, and the next reload race them.
            while (answered.Wait(0))
            {
            }

            for (var i = 0; i < 40; i++)
            {
                Assert.True(await answered.WaitAsync(TimeSpan.FromSeconds(10)), "requests stopped being answered");
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);

        int Count(string path, HttpStatusCode status) => statuses.GetValueOrDefault((path, status));
        var report = string.Join(", ", statuses.OrderBy(s => s.Key.Path).Select(s => $"{s.Key.Path} {(int)s.Key.Status}: {s.Value}"));
        Assert.True(statuses.Keys.All(k => k.Path != "/secret/page" || k.Status is HttpStatusCode.Unauthorized or HttpStatusCode.ServiceUnavailable), report);
        Assert.True(statuses.Keys.All(k => k.Path != "/denied/page" || k.Status is HttpStatusCode.Forbidden or HttpStatusCode.ServiceUnavailable), report);
        Assert.True(statuses.Keys.All(k => k.Path != "/limited/page" || k.Status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable), report);
        Assert.True(Count("/limited/page", HttpStatusCode.OK) <= Permits, report);
        // The protections were really exercised, not refused wholesale.
        Assert.True(Count("/secret/page", HttpStatusCode.Unauthorized) > Reloads * 5, report);
        Assert.True(Count("/denied/page", HttpStatusCode.Forbidden) > Reloads * 5, report);
        Assert.True(Count("/limited/page", HttpStatusCode.TooManyRequests) > Reloads * 5, report);
    }

    /// <summary>
    /// The same protected paths in four shapes: renamed routes, other orders, routes listed in another sequence, and
    /// unrelated protected routes added and removed. A catch-all route without protection is there in every shape, never
    /// ordered before the protected ones (a lower order wins in routing, so that would be the config's choice).
    /// </summary>
    private static string Config(TestBackend backend, string hash, int reload)
    {
        var shape = reload % 4;
        var suffix = shape switch { 0 => "a", 1 => "b", 2 => "a", _ => "c" };
        var order = shape switch { 0 => 0, 1 => -5, 2 => 7, _ => 3 };
        var secret = $$""" "secret-{{suffix}}": { "clusterId": "c", "order": {{order}}, "match": { "pathPrefix": "/secret" }, "accessControl": { "basicAuth": { "users": { "alice": "{{hash}}" } } } }""";
        var denied = $$""" "denied-{{suffix}}": { "clusterId": "c", "order": {{-order}}, "match": { "pathPrefix": "/denied" }, "accessControl": { "deny": [ "127.0.0.0/8", "::1/128" ] } }""";
        var limited = $$""" "limited-{{suffix}}": { "clusterId": "c", "order": {{order - 1}}, "match": { "pathPrefix": "/limited" }, "rateLimit": "tight" }""";
        var open = $$""" "open-{{(shape == 2 ? "2" : "1")}}": { "clusterId": "c", "order": {{(shape == 1 ? 100 : 7)}}, "match": { "pathPrefix": "/" } }""";
        var extra = shape is 1 or 3
            ? $$""", "extra-{{reload}}": { "clusterId": "c", "match": { "pathPrefix": "/extra{{reload}}" }, "accessControl": { "basicAuth": { "users": { "alice": "{{hash}}" } } } }"""
            : "";
        var routes = shape == 2 ? $"{open},{limited},{denied},{secret}" : $"{secret},{denied},{limited},{open}";
        return $$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "rateLimits": { "tight": { "algorithm": "fixedWindow", "permitLimit": {{Permits}}, "window": "1h" } },
              "routes": { {{routes}}{{extra}} },
              "clusters": { "c": { "destinations": { "d": { "address": "{{backend.Address}}" } } } }
            }
            """;
    }
}
