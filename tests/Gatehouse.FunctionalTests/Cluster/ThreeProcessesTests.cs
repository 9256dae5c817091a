using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gatehouse.Acme.Tests.TestSupport;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>
/// Issue 18's acceptance 1 as a user runs it: three separate <c>gatehouse</c> processes (each its own runtime, memory and
/// Redis connection) and one real redis-server. A response cached through A is a hit on B and C, the origin asked once;
/// a purge by tag on B's admin API leaves A and C without it within a second.
/// </summary>
public class ThreeProcessesTests
{
    private const string Host = "shop.example";
    private static readonly TimeSpan PurgeDeadline = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task CachedThroughProcessA_IsAHitOnBAndC_AndAPurgeByTagOnB_MissesOnAAndCWithinOneSecond()
    {
        await using var redis = await RedisServer.StartAsync();
        var originRequests = 0;
        await using var origin = await TestBackend.StartAsync("origin", async context =>
        {
            Interlocked.Increment(ref originRequests);
            var page = "page " + context.Request.Path;
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers["Cache-Tag"] = "t-products";
            context.Response.ContentLength = page.Length;
            await context.Response.WriteAsync(page);
        });

        var nodes = new List<(GatehouseProcess Process, Uri Address, Uri Admin)>();
        try
        {
            foreach (var name in new[] { "node-a", "node-b", "node-c" })
            {
                nodes.Add(await StartNodeAsync(origin, redis, name));
            }

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using (var miss = await client.SendAsync(Get(nodes[0].Address, "/products/42")))
            {
                Assert.Contains("fwd=uri-miss", CacheStatus(miss), StringComparison.Ordinal);
            }

            // A is another process: its write is seen in Redis itself (bounded; milliseconds in practice).
            await Poll.UntilAsync(async () => (await redis.KeysAsync("test:cache:k:*")).Count > 0, "A's entry in Redis");

            foreach (var other in new[] { nodes[1], nodes[2] })
            {
                using var hit = await client.SendAsync(Get(other.Address, "/products/42"));
                Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
                Assert.StartsWith("Gatehouse; hit", CacheStatus(hit), StringComparison.Ordinal);
                Assert.Equal("page /products/42", await hit.Content.ReadAsStringAsync());
            }

            Assert.Equal(1, originRequests);

            var purging = Stopwatch.StartNew();
            using (var purge = await client.PostAsync(new Uri(nodes[1].Admin, "/cache/purge?tag=t-products"), null))
            {
                Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
            }

            foreach (var node in new[] { nodes[0], nodes[2] })
            {
                await Poll.UntilAsync(async () =>
                {
                    using var request = Get(node.Address, "/products/42");
                    request.Headers.CacheControl = new() { OnlyIfCached = true };
                    using var response = await client.SendAsync(request);
                    return response.StatusCode == HttpStatusCode.GatewayTimeout;
                }, "the purge on " + node.Address, TimeSpan.FromSeconds(10));
            }

            var reached = purging.Elapsed;
            Assert.True(reached < PurgeDeadline, $"the purge reached A and C after {reached}");
            Assert.Equal(1, originRequests);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.Process.DisposeAsync();
            }
        }
    }

    private static async Task<(GatehouseProcess Process, Uri Address, Uri Admin)> StartNodeAsync(TestBackend origin, RedisServer redis, string name)
    {
        var port = FreePorts.Tcp();
        var adminPort = FreePorts.Tcp();
        var config = ClusterNodes.Config(origin, redis, name)
            .Replace("\"port\": 0 } ],", $"\"port\": {port.ToString(CultureInfo.InvariantCulture)} }} ],", StringComparison.Ordinal)
            .Replace("\"admin\": { \"port\": 0 }", $"\"admin\": {{ \"port\": {adminPort.ToString(CultureInfo.InvariantCulture)} }}", StringComparison.Ordinal);
        Assert.Contains($"\"port\": {adminPort.ToString(CultureInfo.InvariantCulture)}", config, StringComparison.Ordinal);
        var configPath = await Configs.WriteAloneAsync(config);
        var process = GatehouseProcess.Start("run", "--config", configPath);
        await process.WaitForLineAsync("connected to Redis");
        return (process, new Uri($"http://127.0.0.1:{port}/"), new Uri($"http://127.0.0.1:{adminPort}/"));
    }

    private static HttpRequestMessage Get(Uri node, string path) => new(HttpMethod.Get, new Uri(node, path)) { Headers = { Host = Host } };

    private static string CacheStatus(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";
}
