using System.Collections.Concurrent;
using System.Globalization;
using Gatehouse.Acme.Tests.TestSupport;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>
/// Issue 18's acceptance 5: a node killed (SIGKILL, a real <c>gatehouse</c> process) under load, behind a client that
/// spreads requests over three nodes: only that node's requests fail, and the others lose nothing it shared.
/// </summary>
public class NodeKilledTests
{
    private const string Host = "shop.example";
    private const int SigKill = 9;

    [Fact]
    public async Task NodeKilledUnderLoad_OnlyItsRequestsFail_AndWhatItCachedStaysAHitOnTheOthers()
    {
        await using var redis = await RedisServer.StartAsync();
        var onlyC = 0;
        await using var origin = await TestBackend.StartAsync("origin", async context =>
        {
            if (context.Request.Path == "/only-c")
            {
                Interlocked.Increment(ref onlyC);
            }

            await Task.Delay(20); // so that requests are in flight when the node dies
            var page = "page " + context.Request.Path;
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = page.Length;
            await context.Response.WriteAsync(page);
        });
        await using var inProcess = await ClusterNodes.StartAsync(origin, redis, count: 2);
        var port = FreePorts.Tcp();
        var configPath = await Configs.WriteAloneAsync(ClusterNodes.Config(origin, redis, "node-c")
            .Replace("\"port\": 0 } ],", $"\"port\": {port.ToString(CultureInfo.InvariantCulture)} }} ],", StringComparison.Ordinal));
        await using var nodeC = GatehouseProcess.Start("run", "--config", configPath);
        await nodeC.WaitForLineAsync("connected to Redis");
        var nodes = new[] { inProcess[0].Address, inProcess[1].Address, new Uri($"http://127.0.0.1:{port}/") };

        // Cached through C alone, before it dies.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("page /only-c", await (await client.SendAsync(Get(nodes[2], "/only-c"))).Content.ReadAsStringAsync());
        await WhenSharedAsync(redis);

        var succeeded = new long[3];
        var failures = new ConcurrentBag<(int Node, string Error)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = w; !stop.IsCancellationRequested; i += 6)
            {
                var node = i % 3;
                try
                {
                    using var response = await client.SendAsync(Get(nodes[node], $"/spread/{i % 20}"), stop.Token);
                    await response.Content.ReadAsStringAsync(stop.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref succeeded[node]);
                    }
                    else
                    {
                        failures.Add((node, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)));
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    failures.Add((node, ex.GetType().Name));
                }
            }
        })).ToArray();

        await Poll.UntilAsync(() => Interlocked.Read(ref succeeded[2]) >= 100, "C served 100");
        nodeC.Signal(SigKill);
        Assert.NotEqual(0, await nodeC.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var aAndBAtKill = Interlocked.Read(ref succeeded[0]) + Interlocked.Read(ref succeeded[1]);
        await Poll.UntilAsync(() => Interlocked.Read(ref succeeded[0]) + Interlocked.Read(ref succeeded[1]) >= aAndBAtKill + 300, "A and B served 300 more");
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.DoesNotContain(failures, f => f.Node != 2);
        Assert.NotEmpty(failures); // C's, after it died: the test could tell a failure from none

        // What C shared is not lost with it.
        using var fromA = await client.SendAsync(Get(nodes[0], "/only-c"));
        Assert.StartsWith("Gatehouse; hit", string.Join(", ", fromA.Headers.GetValues("Cache-Status")), StringComparison.Ordinal);
        Assert.Equal(1, Volatile.Read(ref onlyC));
    }

    private static HttpRequestMessage Get(Uri node, string path) => new(HttpMethod.Get, new Uri(node, path)) { Headers = { Host = Host } };

    /// <summary>C is another process, so its write is seen in Redis itself; bounded, a few milliseconds in practice.</summary>
    private static async Task WhenSharedAsync(RedisServer redis) =>
        await Poll.UntilAsync(async () => (await redis.KeysAsync("test:cache:k:*")).Count > 0, "C's entry in Redis");
}
