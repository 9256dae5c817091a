using System.Net;
using Gatehouse.Caching.Middleware;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>Request collapsing: concurrent misses for one key and what happens to the waiters.</summary>
public class HttpCacheCollapsingTests
{
    [Fact]
    public async Task HundredConcurrentMisses_MakeOneOriginRequest_AndAllGetTheBody()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        var leaderMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Origin.Map("/a", async (context, _) =>
        {
            await leaderMayAnswer.Task;
            context.Response.Headers.CacheControl = "max-age=60";
            await context.Response.WriteWithLengthAsync("the body");
        });
        var waiting = WhenWaiters(host, 99);

        var requests = Enumerable.Range(0, 100).Select(_ => host.GetAsync("/a")).ToList();
        await host.Origin.WhenRequests("/a", 1);
        await waiting;
        leaderMayAnswer.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.Equal(1, host.Origin.Requests("/a"));
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("the body", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        var statuses = responses.Select(r => r.CacheStatus()).ToList();
        Assert.Single(statuses, s => s == "Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60");
        Assert.Equal(99, statuses.Count(s => s == "Gatehouse; fwd=uri-miss; fwd-status=200; collapsed; ttl=60"));
    }

    [Fact]
    public async Task UncacheableLeader_ReleasesTheWaiters_ToTheOriginConcurrently()
    {
        const int Clients = 10;
        await using var host = await CacheHost.StartAsync(new TestStore());
        var leaderMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Origin.Map("/a", async (context, number) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            if (number == 1)
            {
                await leaderMayAnswer.Task;
            }
            else
            {
                // Each waiter's request is held until all of them have reached the origin: if the cache sent them one
                // after another, the second would never arrive and the test would time out.
                await host.Origin.WhenRequests("/a", Clients);
            }
            await context.Response.WriteWithLengthAsync($"#{number}");
        });
        var waiting = WhenWaiters(host, Clients - 1);

        var requests = Enumerable.Range(0, Clients).Select(_ => host.GetAsync("/a")).ToList();
        await host.Origin.WhenRequests("/a", 1);
        await waiting;
        leaderMayAnswer.SetResult();
        var responses = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(Clients, host.Origin.Requests("/a"));
        var statuses = responses.Select(r => r.CacheStatus()).ToList();
        Assert.Single(statuses, s => s == "Gatehouse; fwd=uri-miss; fwd-status=200");
        Assert.Equal(Clients - 1, statuses.Count(s => s == "Gatehouse; fwd=uri-miss; fwd-status=200; collapsed=?0"));
        Assert.Equal(Clients, responses.Select(r => r.Content.ReadAsStringAsync().Result).Distinct().Count());

        // The key is remembered as uncacheable: the next miss goes straight to the origin.
        Assert.True(host.Collapsing.IsRememberedUncacheable($"http://127.0.0.1:{host.Client.BaseAddress!.Port}/a"));
    }

    [Fact]
    public async Task WaiterOfAnotherVariant_GoesOnItsOwn()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        var leaderMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Origin.Map("/a", async (context, number) =>
        {
            if (number == 1)
            {
                await leaderMayAnswer.Task;
            }
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.Vary = "Accept-Language";
            await context.Response.WriteWithLengthAsync(context.Request.Headers.AcceptLanguage.ToString());
        });
        var waiting = WhenWaiters(host, 1);

        var english = host.GetAsync("/a", ("Accept-Language", "en"));
        await host.Origin.WhenRequests("/a", 1);
        var french = host.GetAsync("/a", ("Accept-Language", "fr"));
        await waiting;
        leaderMayAnswer.SetResult();

        using var frenchResponse = await french;
        using var englishResponse = await english;
        Assert.Equal("fr", await frenchResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; collapsed=?0; ttl=60", frenchResponse.CacheStatus());
        Assert.Equal("en", await englishResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task Waiter_GivesUpAfterTheCollapseTimeout()
    {
        await using var host = await CacheHost.StartAsync(new TestStore(), configure: options => options.CollapseTimeout = TimeSpan.FromSeconds(5));
        var leaderMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Origin.Map("/a", async (context, number) =>
        {
            if (number == 1)
            {
                await leaderMayAnswer.Task;
            }
            context.Response.Headers.CacheControl = "max-age=60";
            await context.Response.WriteWithLengthAsync($"#{number}");
        });
        var waiting = WhenWaiters(host, 1);

        var leader = host.GetAsync("/a");
        await host.Origin.WhenRequests("/a", 1);
        var waiter = host.GetAsync("/a");
        await waiting;
        host.Time.Advance(TimeSpan.FromSeconds(5));

        using var waiterResponse = await waiter;
        leaderMayAnswer.SetResult();
        using var leaderResponse = await leader;
        Assert.Equal("#2", await waiterResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; collapsed=?0; ttl=60", waiterResponse.CacheStatus());
        Assert.Equal("#1", await leaderResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task MissThatRacedAFinishedForward_IsServedFromTheStore_WithoutAnotherOriginRequest()
    {
        // The race: a request looks in the store just before another request's forward stores the response, and joins
        // the collapsing just after that forward has ended, so it becomes a leader itself. It must look once more.
        var store = new MissingLookupStore(new TestStore());
        await using var host = await CacheHost.StartAsync(store);
        host.Origin.Map("/a", (context, number) =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteWithLengthAsync($"#{number}");
        });
        using var first = await host.GetAsync("/a");
        Assert.Equal("#1", await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        store.MissNextLookup();
        using var second = await host.GetAsync("/a");

        Assert.Equal("#1", await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; hit; ttl=60", second.CacheStatus());
        Assert.Equal(1, host.Origin.Requests("/a"));
        Assert.Equal(0, store.PendingMisses);
    }

    /// <summary>A store whose next lookup answers "nothing", as a lookup made just before a write would have.</summary>
    private sealed class MissingLookupStore(TestStore inner) : Gatehouse.Caching.Storage.IHttpCacheStore
    {
        private int _misses;

        public int PendingMisses => Volatile.Read(ref _misses);

        public long MaxEntryBytes => inner.MaxEntryBytes;

        public Gatehouse.Caching.Storage.HttpCacheStoreStatistics Statistics => inner.Statistics;

        public void MissNextLookup() => Interlocked.Increment(ref _misses);

        public ValueTask<IReadOnlyList<Gatehouse.Caching.Storage.CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Decrement(ref _misses) >= 0)
            {
                return new([]);
            }
            Interlocked.Increment(ref _misses);
            return inner.GetAsync(key, cancellationToken);
        }

        public ValueTask<bool> SetAsync(Gatehouse.Caching.Storage.CachedResponse response, CancellationToken cancellationToken = default) => inner.SetAsync(response, cancellationToken);

        public ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default) => inner.RemoveAsync(key, varyKey, cancellationToken);

        public ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default) => inner.RemoveTargetAsync(target, cancellationToken);

        public ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.RemoveTargetPrefixAsync(prefix, cancellationToken);

        public ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default) => inner.RemoveTagAsync(tag, cancellationToken);
    }

    /// <summary>Completes once <paramref name="count"/> requests wait for a collapsed forward.</summary>
    private static Task WhenWaiters(CacheHost host, int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = 0;
        host.Collapsing.WaiterJoined += _ =>
        {
            if (Interlocked.Increment(ref joined) == count)
            {
                reached.TrySetResult();
            }
        };
        return reached.Task;
    }
}
