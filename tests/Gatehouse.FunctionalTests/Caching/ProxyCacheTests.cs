using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Caching.Storage;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Caching;

/// <summary>The HTTP cache inside a real Gatehouse, in front of a Kestrel backend that counts requests.</summary>
public sealed class ProxyCacheTests
{
    private const string Admin = ", \"admin\": { \"port\": 0 }";

    private static string CachedConfig(TestBackend backend, string rootExtra = "") =>
        Configs.SingleCluster(Configs.Destinations(backend), routeExtra: ", \"cache\": { \"enabled\": true }", rootExtra: rootExtra);

    [Fact]
    public async Task FreshResponse_IsServedFromTheCache_WithCacheStatusAndAge()
    {
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            var page = "page " + context.Request.Path;
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = page.Length; // "stored" is said up front only when the length is known
            return context.Response.WriteAsync(page);
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));

        using var miss = await proxy.Client.GetAsync("/a");
        using var hit = await proxy.Client.GetAsync("/a");

        Assert.Equal("page /a", await hit.Content.ReadAsStringAsync());
        Assert.Equal(1, origin.Requests);
        Assert.Contains("fwd=uri-miss", string.Join(",", miss.Headers.GetValues("Cache-Status")), StringComparison.Ordinal);
        Assert.Contains("stored", string.Join(",", miss.Headers.GetValues("Cache-Status")), StringComparison.Ordinal);
        Assert.StartsWith("Gatehouse; hit", hit.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.True(hit.Headers.Age.HasValue);
    }

    [Fact]
    public async Task UncachedRoute_HasNoCacheStatus_AndEveryRequestReachesTheBackend()
    {
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync("x");
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(origin)));

        using var first = await proxy.Client.GetAsync("/");
        using var second = await proxy.Client.GetAsync("/");

        Assert.False(second.Headers.Contains("Cache-Status"));
        Assert.Equal(2, origin.Requests);
    }

    [Fact]
    public async Task StaleEntry_IsRevalidatedWith304_AndTheStoredBodyIsServed()
    {
        var bodyBytesSent = 0L;
        await using var origin = await TestBackend.StartAsync("origin", async context =>
        {
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.CacheControl = "max-age=0";
            if (context.Request.Headers.IfNoneMatch == "\"v1\"")
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            Interlocked.Add(ref bodyBytesSent, 4);
            await context.Response.WriteAsync("body");
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));

        using var first = await proxy.Client.GetAsync("/r");
        using var second = await proxy.Client.GetAsync("/r");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("body", await second.Content.ReadAsStringAsync());
        Assert.Equal(2, origin.Requests);
        Assert.Equal(4, Interlocked.Read(ref bodyBytesSent));
    }

    [Fact]
    public async Task HundredConcurrentMisses_MakeOneBackendRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await TestBackend.StartAsync("origin", async context =>
        {
            await release.Task;
            context.Response.Headers.CacheControl = "max-age=60";
            await context.Response.WriteAsync("shared");
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));
        using var client = proxy.CreateClient();

        var requests = Enumerable.Range(0, 100).Select(_ => client.GetStringAsync("/hot")).ToList();
        await origin.WhenRequestsReach(1);
        // Requests that reach the cache after the leader's answer find it stored; either way the backend sees one request.
        release.SetResult();
        var bodies = await Task.WhenAll(requests);

        Assert.All(bodies, body => Assert.Equal("shared", body));
        Assert.Equal(1, origin.Requests);
    }

    [Fact]
    public async Task Post_InvalidatesTheCachedUrl()
    {
        var version = 1;
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                version++;
                return context.Response.WriteAsync("updated");
            }

            context.Response.Headers.CacheControl = "max-age=600";
            return context.Response.WriteAsync($"v{version}");
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));

        Assert.Equal("v1", await proxy.Client.GetStringAsync("/item/7"));
        Assert.Equal("v1", await proxy.Client.GetStringAsync("/item/7"));
        using (var post = await proxy.Client.PostAsync("/item/7", new StringContent("x")))
        {
            post.EnsureSuccessStatusCode();
        }

        Assert.Equal("v2", await proxy.Client.GetStringAsync("/item/7"));
    }

    [Fact]
    public async Task PurgeByTag_ThroughTheAdminApi_TakesEffectAtOnce()
    {
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.Headers["Cache-Tag"] = context.Request.Path.StartsWithSegments("/products") ? "products, catalog" : "other";
            return context.Response.WriteAsync("n" + context.Request.Path);
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin, Admin));
        foreach (var path in new[] { "/products/1", "/products/2", "/about" })
        {
            await proxy.Client.GetStringAsync(path);
            await proxy.Client.GetStringAsync(path);
        }

        Assert.Equal(3, origin.Requests);
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        using var purge = await admin.PostAsync("/cache/purge?tag=products", null);
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Contains("\"purged\": 2", await purge.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await proxy.Client.GetStringAsync("/products/1");
        await proxy.Client.GetStringAsync("/about");
        Assert.Equal(4, origin.Requests);

        using var byUrl = await admin.PostAsync($"/cache/purge?url={Uri.EscapeDataString(new Uri(proxy.Address, "/about").ToString())}", null);
        Assert.Contains("\"purged\": 1", await byUrl.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await proxy.Client.GetStringAsync("/about");
        Assert.Equal(5, origin.Requests);
    }

    // A purge that races an in-flight fetch of the same URL wins: the response fetched before it is not stored, and
    // its Cache-Status does not say "stored" (the purge came before its header section, which has a Content-Length).
    [Fact]
    public async Task PurgeDuringAnInFlightFetch_Wins_TheNextRequestIsAMiss()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = 0;
        await using var origin = await TestBackend.StartAsync("origin", async context =>
        {
            var answer = Interlocked.Increment(ref answers);
            if (answer == 1)
            {
                await release.Task;
            }

            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.ContentLength = 2;
            await context.Response.WriteAsync($"v{answer}");
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin, Admin));
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };

        var first = proxy.Client.GetAsync("/news");
        await origin.WhenRequestsReach(1);
        using (var purge = await admin.PostAsync($"/cache/purge?url={Uri.EscapeDataString(new Uri(proxy.Address, "/news").ToString())}", null))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        release.SetResult();
        using var purged = await first;
        Assert.Equal("v1", await purged.Content.ReadAsStringAsync());
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200", purged.Headers.GetValues("Cache-Status").Last());

        using var next = await proxy.Client.GetAsync("/news");
        using var hit = await proxy.Client.GetAsync("/news");

        Assert.Equal("v2", await next.Content.ReadAsStringAsync());
        Assert.StartsWith("Gatehouse; fwd=uri-miss", next.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.Equal("v2", await hit.Content.ReadAsStringAsync());
        Assert.StartsWith("Gatehouse; hit", hit.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.Equal(2, origin.Requests);
    }

    [Fact]
    public async Task StaleIfError_ServesTheStoredResponse_WhenTheBackendIsDown()
    {
        var origin = await TestBackend.StartAsync("origin", context =>
        {
            context.Response.Headers.CacheControl = "max-age=0, stale-if-error=600";
            return context.Response.WriteAsync("kept");
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));
        Assert.Equal("kept", await proxy.Client.GetStringAsync("/p"));

        await origin.StopAsync();
        using var response = await proxy.Client.GetAsync("/p");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("kept", await response.Content.ReadAsStringAsync());
        Assert.Contains("fwd=stale", response.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleWhileRevalidate_AnswersAtOnce_AndRefreshesOnceThroughTheProxy()
    {
        var version = 0;
        var refreshGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await TestBackend.StartAsync("origin", async context =>
        {
            var mine = Interlocked.Increment(ref version);
            if (mine > 1)
            {
                await refreshGate.Task; // the refresh is held: clients must not wait for it
            }

            context.Response.Headers.CacheControl = "max-age=0, stale-while-revalidate=600";
            await context.Response.WriteAsync($"v{mine}");
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));
        Assert.Equal("v1", await proxy.Client.GetStringAsync("/s"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => proxy.Client.GetStringAsync("/s")));
        Assert.All(answers, a => Assert.Equal("v1", a));
        await origin.WhenRequestsReach(2);
        Assert.Equal(2, origin.Requests);

        refreshGate.SetResult();
        var store = proxy.Services.GetRequiredService<IHttpCacheStore>();
        var stored = await WaitForAsync(async () => (await store.GetAsync(KeyOf(proxy, "/s")))
            .Any(e => System.Text.Encoding.UTF8.GetString(e.Body.Span) == "v2"));
        Assert.True(stored);
        Assert.Equal("v2", await proxy.Client.GetStringAsync("/s"));
    }

    [Fact]
    public async Task TenThousandDistinctUrls_NeverGrowTheStorePastItsLimit()
    {
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            return context.Response.WriteAsync(new string('x', 1000));
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin, ", \"cache\": { \"maxBytes\": \"256KB\", \"maxEntryBytes\": \"16KB\" }"));
        var store = proxy.Services.GetRequiredService<IHttpCacheStore>();

        var maxSeen = 0L;
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var response = await proxy.Client.GetAsync($"/u/{i}", ct);
            response.EnsureSuccessStatusCode();
            var bytes = store.Statistics.Bytes;
            InterlockedMax(ref maxSeen, bytes);
        });

        Assert.True(maxSeen <= 256 * 1024, $"the store reached {maxSeen} bytes");
        Assert.True(store.Statistics.Bytes <= 256 * 1024);
        Assert.True(store.Statistics.Entries > 50, $"only {store.Statistics.Entries} entries kept");
    }

    [Fact]
    public async Task FiftyMegabyteBody_StreamsThroughWithoutBuffering_AndIsNotStored()
    {
        var firstChunkSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await TestBackend.StartAsync("origin", async context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.ContentLength = 50L * 1024 * 1024;
            var chunk = new byte[1024 * 1024];
            await context.Response.Body.WriteAsync(chunk);
            await context.Response.Body.FlushAsync();
            // The rest is sent only once the client has received bytes: a proxy that buffered everything would deadlock.
            await firstChunkSeen.Task.WaitAsync(TimeSpan.FromSeconds(20));
            for (var i = 1; i < 50; i++)
            {
                await context.Response.Body.WriteAsync(chunk);
            }
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));

        using var response = await proxy.Client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long total = await body.ReadAsync(buffer);
        Assert.True(total > 0);
        firstChunkSeen.SetResult();
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        Assert.Equal(50L * 1024 * 1024, total);
        var store = proxy.Services.GetRequiredService<IHttpCacheStore>();
        Assert.Equal(0, store.Statistics.Entries);
    }

    private static string KeyOf(TestProxy proxy, string path) => new Gatehouse.Caching.CacheKey($"http://127.0.0.1:{proxy.Address.Port}{path}", "").ToString();

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                return false;
            }

            await Task.Yield();
        }

        return true;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
