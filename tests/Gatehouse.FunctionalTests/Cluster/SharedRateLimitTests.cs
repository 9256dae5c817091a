using System.Net;
using Gatehouse.Cluster;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>
/// Rate limits counted across nodes (issue 18, acceptance 2): real Gatehouse nodes in front of one real redis-server.
/// Windows are a minute or an hour, so what a test sends falls in one window and the counts do not depend on timing.
/// </summary>
public sealed class SharedRateLimitTests
{
    private static string Config(TestBackend backend, RedisServer redis, string node, string policy) => Configs.SingleCluster(
        Configs.Destinations(backend),
        routeExtra: ", \"rateLimit\": \"p\"",
        rootExtra: ClusterNodes.Section(redis, node, "rl-test:") + $$""", "rateLimits": { "p": {{policy}} }""");

    /// <summary>Sends <paramref name="perNode"/> requests through every node at once (a few in parallel on each) and counts the answers.</summary>
    private static async Task<(int Accepted, int Limited)> HitAllAsync(ClusterNodes nodes, int perNode, string? client = null, params int[] only)
    {
        var accepted = 0;
        var limited = 0;
        var targets = only.Length == 0 ? nodes.Nodes : only.Select(i => nodes[i]).ToList();
        await Task.WhenAll(targets.SelectMany(node => Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var i = worker; i < perNode; i += 4)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/x");
                if (client is not null)
                {
                    request.Headers.Add("X-Client", client);
                }

                using var response = await node.Client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                    Assert.NotNull(response.Headers.RetryAfter);
                    Interlocked.Increment(ref limited);
                }
            }
        })));
        return (accepted, limited);
    }

    [Theory]
    [InlineData("""{ "algorithm": "slidingWindow", "permitLimit": 60, "window": "1m" }""")]
    [InlineData("""{ "algorithm": "tokenBucket", "permitLimit": 60, "tokensPerPeriod": 60, "replenishmentPeriod": "1m" }""")]
    public async Task SixtyAMinutePerClient_ThroughThreeNodesAtOnce_AdmitsSixtyInTotal(string policy)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("b");
        await using var nodes = await ClusterNodes.StartAsync(3, node => Config(backend, redis, node, policy));

        var (accepted, limited) = await HitAllAsync(nodes, perNode: 40);

        Assert.InRange(accepted, 57, 63);
        Assert.Equal(120 - accepted, limited);
        Assert.Equal(accepted, backend.Requests);
        Assert.Contains(await redis.KeysAsync("rl-test:ratelimit:p:*"), k => k.EndsWith(":ip:127.0.0.1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("refuse")]
    public async Task RedisKilled_PolicyFallsBackAsConfigured_AndSharingResumesWhenRedisIsBack(string fallback)
    {
        const string Policy = """{ "algorithm": "slidingWindow", "key": "header:X-Client", "permitLimit": 5, "window": "1h", "whenClusterUnavailable": "FALLBACK" }""";
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("b");
        await using var nodes = await ClusterNodes.StartAsync(2, node => Config(backend, redis, node, Policy.Replace("FALLBACK", fallback, StringComparison.Ordinal)));

        Assert.Equal((5, 11), await HitAllAsync(nodes, perNode: 8, client: "before"));

        redis.Kill();
        await nodes.WaitForAsync(ClusterConnectionState.Disconnected);
        var (alone, refused) = await HitAllAsync(nodes, perNode: 8, client: "during");
        // local: each node counts alone, so the limit holds per node; refuse: nothing passes while the count is unknown.
        Assert.Equal(fallback == "local" ? (10, 6) : (0, 16), (alone, refused));

        await redis.RestartAsync();
        await nodes.WaitForAsync(ClusterConnectionState.Connected);
        Assert.Equal((5, 11), await HitAllAsync(nodes, perNode: 8, client: "after"));
    }

    // Single flight: a client flooding over its limit makes about one Redis call per node each time the remembered
    // denial lapses (a second at most), not one per request it has in flight at that moment.
    [Fact]
    public async Task AFloodOverTheLimit_AsksRedisAboutOnceADenialLapses_NotOncePerRequestInFlight()
    {
        const int Workers = 32;
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("b");
        await using var nodes = await ClusterNodes.StartAsync(1, node => Config(backend, redis, node, """{ "algorithm": "slidingWindow", "permitLimit": 1, "window": "1h" }"""));
        var database = await redis.DatabaseAsync();
        Assert.Equal(HttpStatusCode.OK, (await nodes[0].Client.GetAsync("/x")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await nodes[0].Client.GetAsync("/x")).StatusCode);
        var before = await ScriptCallsAsync(database);

        // Bounded in time and count: 2.5 s, at most 20,000 requests.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var refused = 0;
        var sent = 0;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            while (started.Elapsed < TimeSpan.FromSeconds(2.5) && Interlocked.Increment(ref sent) <= 20_000)
            {
                using var response = await nodes[0].Client.GetAsync("/x");
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }));
        var seconds = started.Elapsed.TotalSeconds;
        var calls = await ScriptCallsAsync(database) - before;

        Assert.Equal(1, backend.Requests);
        Assert.True(refused > 2 * Workers, $"only {refused} refusals: the flood did not run");
        // One call per lapse (at most one a second) plus the first ones; without single flight every worker in flight
        // at a lapse asked (about Workers per second).
        Assert.True(calls <= 4 + 2 * Math.Ceiling(seconds), $"{calls} Redis script calls for {refused} refusals in {seconds:0.0} s");
    }

    private static async Task<long> ScriptCallsAsync(StackExchange.Redis.IDatabase database)
    {
        var info = (string?)await database.ExecuteAsync("INFO", "commandstats") ?? "";
        return info.Split('\n')
            .Where(line => line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal) || line.StartsWith("cmdstat_eval:", StringComparison.Ordinal))
            .Sum(line => long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
    }
}
