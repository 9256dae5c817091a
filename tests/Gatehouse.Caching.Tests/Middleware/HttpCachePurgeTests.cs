using Gatehouse.Caching.Middleware;
using Microsoft.Extensions.Logging.Abstractions;
using static Gatehouse.Caching.Tests.Storage.StoredResponses;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>A purge wins over the fetches in flight for what it removes: what they fetched is not stored after it.</summary>
public class HttpCachePurgeTests
{
    [Fact]
    public async Task RemovedSince_MatchesARemovalAfterTheMark_ByTargetPrefixOrTag()
    {
        var purge = new HttpCachePurge(new TestStore());
        var entry = Response("https://example.com/news/1", tags: ["news", "front"]);
        var before = purge.Mark;
        await purge.PurgeTargetAsync("https://example.com/other", TestContext.Current.CancellationToken);
        var afterUnrelated = purge.Mark;

        Assert.False(purge.RemovedSince(before, entry));
        await purge.PurgeTargetAsync("https://example.com/news/1", TestContext.Current.CancellationToken);
        Assert.True(purge.RemovedSince(afterUnrelated, entry));
        var afterTarget = purge.Mark;
        await purge.PurgeTargetPrefixAsync("https://example.com/news/", TestContext.Current.CancellationToken);
        Assert.True(purge.RemovedSince(afterTarget, entry));
        var afterPrefix = purge.Mark;
        await purge.PurgeTagAsync("front", TestContext.Current.CancellationToken);
        Assert.True(purge.RemovedSince(afterPrefix, entry));
        Assert.False(purge.RemovedSince(purge.Mark, entry));
    }

    [Fact]
    public async Task RemovedSince_IsTrue_WhenMoreRemovalsThanRememberedFollowedTheMark()
    {
        var purge = new HttpCachePurge(new TestStore());
        var entry = Response("https://example.com/a");
        var mark = purge.Mark;
        for (var i = 0; i < HttpCachePurge.Remembered; i++)
        {
            await purge.PurgeTagAsync($"t{i}", TestContext.Current.CancellationToken);
        }

        Assert.False(purge.RemovedSince(mark, entry));
        await purge.PurgeTagAsync("one-more", TestContext.Current.CancellationToken);
        Assert.True(purge.RemovedSince(mark, entry));
    }

    [Fact]
    public async Task StoreAccess_DoesNotStoreAnEntryPurgedSinceItsLookup()
    {
        var store = new TestStore();
        var purge = new HttpCachePurge(store);
        var access = new StoreAccess(store, purge, NullLogger<HttpCacheMiddleware>.Instance);
        var entry = Response("https://example.com/a");
        var mark = access.RemovalMark;
        await purge.PurgeTargetAsync(entry.Target, TestContext.Current.CancellationToken);

        Assert.False(await access.SetAsync(entry, mark));
        Assert.Empty(store.Entries(entry.Key));
        Assert.True(await access.SetAsync(entry, access.RemovalMark));
        Assert.Single(store.Entries(entry.Key));
    }

    [Fact]
    public async Task StoreAccess_TakesOutAnEntry_WhenAPurgeRanWhileItWasWritten()
    {
        var store = new TestStore();
        var purge = new HttpCachePurge(store);
        var access = new StoreAccess(store, purge, NullLogger<HttpCacheMiddleware>.Instance);
        var entry = Response("https://example.com/a", tags: ["a"]);
        store.DuringWrite = () =>
        {
            store.DuringWrite = null;
            purge.PurgeTagAsync("a").AsTask().GetAwaiter().GetResult();
        };

        Assert.False(await access.SetAsync(entry, access.RemovalMark));
        Assert.Equal(1, store.Writes);
        Assert.Empty(store.Entries(entry.Key));
    }
}
