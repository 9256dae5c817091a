using System.Diagnostics;
using System.Net;
using Gatehouse.Cluster;
using Gatehouse.Cluster.Caching;
using Gatehouse.FunctionalTests.Infrastructure;
using StackExchange.Redis;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>
/// Issue 18's acceptance for the cache: three Gatehouse nodes and one real redis-server behave as one cache (a response
/// stored through one node is a hit on the others; a purge on one reaches all), through Redis outages.
/// </summary>
public class SharedCacheTests
{
    private static readonly TimeSpan PurgeDeadline = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Requests the origins received, by path (each test uses paths of its own).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> OriginRequests = new();

    /// <summary>An origin whose pages are fresh for a minute, 5 s old when they leave it, tagged by their first path segment.</summary>
    private static Task<TestBackend> StartOriginAsync(TimeSpan? delay = null, int bodyBytes = 0) => TestBackend.StartAsync("origin", async context =>
    {
        OriginRequests.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
        if (delay is { } wait)
        {
            await Task.Delay(wait);
        }

        var path = context.Request.Path.Value!;
        var page = bodyBytes > 0 ? new string('x', bodyBytes) : "page " + path;
        context.Response.Headers.CacheControl = "max-age=60";
        context.Response.Headers.Age = "5";
        context.Response.Headers["Cache-Tag"] = "t-" + path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
        context.Response.ContentLength = page.Length;
        await context.Response.WriteAsync(page);
    });

    private static string CacheStatus(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";

    /// <summary>The public name every node is reached by, as behind a DNS name or a layer-4 balancer: part of the cache key.</summary>
    private const string Host = "shop.example";

    private static HttpRequestMessage Request(HttpMethod method, Uri node, string path) =>
        new(method, new Uri(node, path)) { Headers = { Host = Host } };

    private static async Task<HttpResponseMessage> GetAsync(TestProxy node, string path, bool onlyIfCached = false)
    {
        using var request = Request(HttpMethod.Get, node.Address, path);
        if (onlyIfCached)
        {
            request.Headers.CacheControl = new() { OnlyIfCached = true };
        }

        return await node.Client.SendAsync(request);
    }

    /// <summary>
    /// Acceptance 1: cached through A, a hit on B and C with the origin asked once (and the age carried over); a purge by
    /// tag on B, and A and C have it no more within a second.
    /// </summary>
    private static async Task CachedThroughA_HitOnBAndC_PurgeByTagOnB_ReachesAAndCAsync(ClusterNodes cluster, string path)
    {
        var tag = "t-" + path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
        var shared = ClusterNodes.SharedAsync(cluster[0], path);

        using var miss = await GetAsync(cluster[0], path);
        Assert.Contains("fwd=uri-miss", CacheStatus(miss), StringComparison.Ordinal);
        await shared.WaitAsync(EventTimeout);

        foreach (var other in new[] { cluster[1], cluster[2] })
        {
            using var hit = await GetAsync(other, path);
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.StartsWith("Gatehouse; hit", CacheStatus(hit), StringComparison.Ordinal);
            Assert.Equal("page " + path, await hit.Content.ReadAsStringAsync());
            Assert.True(hit.Headers.Age >= TimeSpan.FromSeconds(5), $"Age {hit.Headers.Age}: the origin's 5 s must carry over to other nodes");
        }

        Assert.Equal(1, OriginRequests.GetValueOrDefault(path));

        var reachedA = ClusterNodes.RemovalReceivedAsync(cluster[0], CacheRemovalKind.Tag, tag);
        var reachedC = ClusterNodes.RemovalReceivedAsync(cluster[2], CacheRemovalKind.Tag, tag);
        using var admin = new HttpClient { BaseAddress = cluster[1].AdminAddress };
        var purging = Stopwatch.StartNew();
        using var purge = await admin.PostAsync($"/cache/purge?tag={tag}", null);
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        await Task.WhenAll(reachedA, reachedC).WaitAsync(EventTimeout);
        var reached = purging.Elapsed;
        Assert.True(reached < PurgeDeadline, $"the purge reached A and C after {reached}");

        foreach (var node in new[] { cluster[0], cluster[2] })
        {
            using var gone = await GetAsync(node, path, onlyIfCached: true);
            Assert.Equal(HttpStatusCode.GatewayTimeout, gone.StatusCode);
        }
    }

    [Fact]
    public async Task CachedThroughA_IsAHitOnBAndC_AndAPurgeByTagOnB_MissesOnAAndCWithinOneSecond()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await StartOriginAsync();
        await using var cluster = await ClusterNodes.StartAsync(origin, redis);

        await CachedThroughA_HitOnBAndC_PurgeByTagOnB_ReachesAAndCAsync(cluster, "/products/42");

        var statistics = ClusterNodes.Store(cluster[1]).SharedStatistics;
        Assert.True(statistics.L2Hits >= 1, $"B's first lookup was answered by Redis: {statistics}");
    }

    [Fact]
    public async Task AdminStatusAndMetrics_ShowTheRedisConnectionState_AndTheL1L2Split()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await StartOriginAsync();
        await using var cluster = await ClusterNodes.StartAsync(origin, redis, count: 2);
        var shared = ClusterNodes.SharedAsync(cluster[0], "/status/1");
        (await GetAsync(cluster[0], "/status/1")).Dispose();
        await shared.WaitAsync(EventTimeout);
        (await GetAsync(cluster[1], "/status/1")).Dispose(); // L2
        (await GetAsync(cluster[1], "/status/1")).Dispose(); // L1
        using var admin = new HttpClient { BaseAddress = cluster[1].AdminAddress };

        using (var status = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/status")))
        {
            var node = status.RootElement.GetProperty("cluster");
            Assert.Equal("node-b", node.GetProperty("node").GetString());
            Assert.Equal("connected", node.GetProperty("state").GetString());
            Assert.Equal(1, node.GetProperty("cache").GetProperty("l2Hits").GetInt64());
            Assert.True(node.GetProperty("cache").GetProperty("l1Hits").GetInt64() >= 1);
        }

        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Contains("gatehouse_cluster_redis_connected 1", metrics, StringComparison.Ordinal);
        Assert.Contains("gatehouse_cache_lookups_total{tier=\"l2\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("gatehouse_cache_lookups_total{tier=\"l1\"}", metrics, StringComparison.Ordinal);

        redis.Kill();
        await cluster.WaitForAsync(ClusterConnectionState.Disconnected);
        using (var status = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/status")))
        {
            Assert.Equal("disconnected", status.RootElement.GetProperty("cluster").GetProperty("state").GetString());
        }

        Assert.Contains("gatehouse_cluster_redis_connected 0", await admin.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeByUrlAndPrefix_AndInvalidationByAnUnsafeMethod_ReachEveryNode()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await StartOriginAsync();
        await using var cluster = await ClusterNodes.StartAsync(origin, redis);
        foreach (var path in new[] { "/docs/a", "/docs/b", "/other/c" })
        {
            var shared = ClusterNodes.SharedAsync(cluster[0], path);
            (await GetAsync(cluster[0], path)).Dispose();
            await shared.WaitAsync(EventTimeout);
            (await GetAsync(cluster[2], path)).Dispose(); // now in C's memory too
        }

        using var admin = new HttpClient { BaseAddress = cluster[1].AdminAddress };
        var prefixReached = Task.WhenAll(cluster.Nodes.Where((_, i) => i != 1).Select(n => WhenRemovalOfKindAsync(n, CacheRemovalKind.TargetPrefix)));
        using var byPrefix = await admin.PostAsync("/cache/purge?prefix=" + Uri.EscapeDataString($"http://{Host}/docs/"), null);
        Assert.Equal(HttpStatusCode.OK, byPrefix.StatusCode);
        await prefixReached.WaitAsync(EventTimeout);
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, (await GetAsync(node, "/docs/a", onlyIfCached: true)).StatusCode);
            Assert.Equal(HttpStatusCode.GatewayTimeout, (await GetAsync(node, "/docs/b", onlyIfCached: true)).StatusCode);
        }

        // A POST through B invalidates /other/c (RFC 9111 §4.4) on A and C too.
        var invalidated = Task.WhenAll(cluster.Nodes.Where((_, i) => i != 1).Select(n => WhenRemovalOfKindAsync(n, CacheRemovalKind.Target)));
        using var postRequest = Request(HttpMethod.Post, cluster[1].Address, "/other/c");
        postRequest.Content = new StringContent("x");
        using var post = await cluster[1].Client.SendAsync(postRequest);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        await invalidated.WaitAsync(EventTimeout);
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, (await GetAsync(node, "/other/c", onlyIfCached: true)).StatusCode);
        }
    }

    private static Task WhenRemovalOfKindAsync(TestProxy node, CacheRemovalKind kind)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ClusterNodes.Store(node).RemovalReceived += removal =>
        {
            if (removal.Kind == kind)
            {
                received.TrySetResult();
            }
        };
        return received.Task;
    }

    [Fact]
    public async Task RedisKilledUnderLoad_NoClientRequestFails_AndWhenItIsBack_SharingAndPurgesWorkAgainWithinFiveSeconds()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await StartOriginAsync();
        await using var cluster = await ClusterNodes.StartAsync(origin, redis);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var nodes = cluster.Nodes.Select(n => n.Address).ToArray();
        await using var load = Load.Start(client, i => Request(HttpMethod.Get, nodes[i % nodes.Length], $"/load/{i % 50}"), workers: 6, limit: TimeSpan.FromSeconds(90));
        await WhenSucceededAsync(load, 300);

        redis.Kill();
        await cluster.WaitForAsync(ClusterConnectionState.Disconnected);
        var duringOutage = load.Succeeded;
        await WhenSucceededAsync(load, duringOutage + 300);

        // A purge while Redis is away is kept and told to the other nodes when it is back.
        using (var admin = new HttpClient { BaseAddress = cluster[1].AdminAddress })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/cache/purge?tag=t-load", null)).StatusCode);
        }

        await redis.RestartAsync();
        var back = Stopwatch.StartNew();
        var pendingReachedA = ClusterNodes.RemovalReceivedAsync(cluster[0], CacheRemovalKind.Tag, "t-load");
        var pendingReachedC = ClusterNodes.RemovalReceivedAsync(cluster[2], CacheRemovalKind.Tag, "t-load");
        await cluster.WaitForAsync(ClusterConnectionState.Connected);
        // The purge kept on B reaches A and C first: a lookup that a removal overtakes counts as a miss (the store's
        // conservative rule), so the hits below are asked for once the kept purge has arrived.
        await Task.WhenAll(pendingReachedA, pendingReachedC).WaitAsync(EventTimeout);
        await CachedThroughA_HitOnBAndC_PurgeByTagOnB_ReachesAAndCAsync(cluster, "/after/1");
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(5), $"sharing resumed {back.Elapsed} after Redis was back");

        await WhenSucceededAsync(load, load.Succeeded + 100);
        await load.StopAsync();
        Assert.Empty(load.Failures);
        Assert.True(ClusterNodes.Store(cluster[0]).SharedStatistics.L1Hits > 0);
    }

    private static async Task WhenSucceededAsync(Load load, long count)
    {
        var deadline = Stopwatch.StartNew();
        while (load.Succeeded < count)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"load reached {load.Succeeded} of {count}; failures: {string.Join("; ", load.Failures.Take(5))}");
            Assert.Empty(load.Failures);
            await Task.Yield();
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task CorruptOrOtherVersionEntries_AreIgnored_NeverServed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await StartOriginAsync();
        await using var cluster = await ClusterNodes.StartAsync(origin, redis, count: 2);
        var database = await redis.DatabaseAsync();

        foreach (var (path, tamper) in new (string, Func<byte[], byte[]>)[]
        {
            ("/corrupt/body", bytes => { bytes[^1] ^= 0xFF; return bytes; }),
            ("/corrupt/version", bytes => { bytes[3] = (byte)'9'; return bytes; }),
            ("/corrupt/truncated", bytes => bytes[..(bytes.Length / 2)]),
        })
        {
            var shared = ClusterNodes.SharedAsync(cluster[0], path);
            (await GetAsync(cluster[0], path)).Dispose();
            await shared.WaitAsync(EventTimeout);
            var entryKey = (await redis.KeysAsync("test:cache:k:*")).Single(k => database.HashLength(k) > 0 && database.HashGetAll(k).Any(f => Encoding(f.Value).Contains(path, StringComparison.Ordinal)));
            var field = database.HashGetAll(entryKey).Single();
            await database.HashSetAsync(entryKey, field.Name, tamper((byte[])field.Value!));
            var originBefore = origin.Requests;

            using var fromB = await GetAsync(cluster[1], path);

            Assert.Equal("page " + path, await fromB.Content.ReadAsStringAsync());
            Assert.Contains("fwd=uri-miss", CacheStatus(fromB), StringComparison.Ordinal);
            Assert.Equal(originBefore + 1, origin.Requests);
        }

        Assert.True(ClusterNodes.Store(cluster[1]).SharedStatistics.Ignored >= 3);
    }

    private static string Encoding(RedisValue value) => System.Text.Encoding.Latin1.GetString((byte[])value!);

    [Fact]
    public async Task BodiesAboveTheSharedLimit_StayInTheNodesOwnStore()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await StartOriginAsync(bodyBytes: 4096);
        await using var cluster = await ClusterNodes.StartAsync(origin, redis, count: 2, clusterExtra: """, "cache": { "maxEntryBytes": "2KB" }""");

        (await GetAsync(cluster[0], "/big/1")).Dispose();
        using var againOnA = await GetAsync(cluster[0], "/big/1");
        using var onB = await GetAsync(cluster[1], "/big/1");

        Assert.StartsWith("Gatehouse; hit", CacheStatus(againOnA), StringComparison.Ordinal);
        Assert.Contains("fwd=uri-miss", CacheStatus(onB), StringComparison.Ordinal);
        Assert.Equal(2, origin.Requests);
        Assert.Empty(await redis.KeysAsync("test:cache:k:*"));
        Assert.Equal(2, ClusterNodes.Store(cluster[0]).SharedStatistics.TooLargeToShare + ClusterNodes.Store(cluster[1]).SharedStatistics.TooLargeToShare);
    }

    /// <summary>
    /// The measurement behind "no cross-node lease" (docs/cluster.md): a burst of simultaneous misses for one key spread
    /// over the nodes reaches the origin at most once per node, because each node collapses its own.
    /// </summary>
    [Fact]
    public async Task SimultaneousMissesOnEveryNode_ReachTheOriginAtMostOncePerNode()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await StartOriginAsync(delay: TimeSpan.FromMilliseconds(300));
        await using var cluster = await ClusterNodes.StartAsync(origin, redis);

        var burst = Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await GetAsync(cluster[i % 3], "/burst/1");
            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(burst);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.InRange(origin.Requests, 1, 3);
    }
}
