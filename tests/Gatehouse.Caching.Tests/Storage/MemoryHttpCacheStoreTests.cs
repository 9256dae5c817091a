using Gatehouse.Caching.Storage;
using static Gatehouse.Caching.Tests.Storage.StoredResponses;

namespace Gatehouse.Caching.Tests.Storage;

public class MemoryHttpCacheStoreTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void MaxEntryBytes_IsAtMostMaxBytes()
    {
        Assert.Equal(1000, new MemoryHttpCacheStore(maxBytes: 1000, maxEntryBytes: 5000).MaxEntryBytes);
        Assert.Equal(500, new MemoryHttpCacheStore(maxBytes: 1000, maxEntryBytes: 500).MaxEntryBytes);
    }

    [Fact]
    public async Task Get_OfAKeyWithOneVariant_AnswersWithTheSameReadOnlyList()
    {
        var store = new MemoryHttpCacheStore(1 << 20, 1 << 20);
        var a = Response("https://example.com/a");
        await store.SetAsync(a, Token);

        var first = await store.GetAsync(a.Key, Token);
        var second = await store.GetAsync(a.Key, Token);

        Assert.Same(first, second); // made once per stored entry, not per hit
        Assert.Same(a, Assert.Single(first));
        Assert.False(first is IList<CachedResponse> { IsReadOnly: false });
    }

    [Fact]
    public async Task Get_AfterAReplacement_AnswersWithTheNewEntry()
    {
        var store = new MemoryHttpCacheStore(1 << 20, 1 << 20);
        var a = Response("https://example.com/a", seed: 1);
        var newer = Response("https://example.com/a", seed: 2);
        await store.SetAsync(a, Token);
        await store.GetAsync(a.Key, Token);

        await store.SetAsync(newer, Token);

        Assert.Same(newer, Assert.Single(await store.GetAsync(a.Key, Token)));
    }

    [Fact]
    public async Task Statistics_CountTheSizesOfTheEntries()
    {
        var store = new MemoryHttpCacheStore(1 << 20, 1 << 20);
        var a = Response("https://example.com/a", bodyBytes: 10);
        var b = Response("https://example.com/b", "v=1", bodyBytes: 2000);

        await store.SetAsync(a, Token);
        await store.SetAsync(b, Token);
        await store.SetAsync(b with { }, Token);

        Assert.Equal(new HttpCacheStoreStatistics(2, a.Size + b.Size, 1 << 20, 0), store.Statistics);
        await store.RemoveAsync(b.Key, b.VaryKey, Token);
        Assert.Equal(new HttpCacheStoreStatistics(1, a.Size, 1 << 20, 0), store.Statistics);
    }

    [Fact]
    public async Task Set_PastMaxBytes_EvictsUntilTheEntryFits()
    {
        var entry = Response("https://example.com/00", bodyBytes: 1000);
        var store = new MemoryHttpCacheStore(maxBytes: (entry.Size * 5) + 10, maxEntryBytes: 1 << 20);

        for (var i = 0; i < 50; i++)
        {
            Assert.True(await store.SetAsync(Response($"https://example.com/{i:00}", bodyBytes: 1000, tags: [$"tag-{i % 3}"]), Token));
            Assert.True(store.Statistics.Bytes <= store.MaxBytes);
        }

        Assert.Equal(5, store.Statistics.Entries);
        Assert.Equal(5 * entry.Size, store.Statistics.Bytes);
        Assert.Equal(45, store.Statistics.Evictions);
        Assert.Single(await store.GetAsync("https://example.com/49", Token));
        StoreAssert.IndexesMatch(store);
    }

    [Fact]
    public async Task Set_AnEntryAsLargeAsTheStore_EvictsEverythingElse()
    {
        var small = Response("https://example.com/small", bodyBytes: 10);
        var large = Response("https://example.com/large", bodyBytes: 5000);
        var store = new MemoryHttpCacheStore(maxBytes: large.Size, maxEntryBytes: large.Size);
        await store.SetAsync(small, Token);

        Assert.True(await store.SetAsync(large, Token));

        Assert.Empty(await store.GetAsync(small.Key, Token));
        Assert.Equal(new HttpCacheStoreStatistics(1, large.Size, large.Size, 1), store.Statistics);
    }

    // W-TinyLFU's segments, trimmed probation first: an entry used again outlives entries that were not.
    [Fact]
    public async Task Eviction_SparesAnEntryThatWasUsedAgain()
    {
        var size = Response("https://example.com/00").Size;
        var store = new MemoryHttpCacheStore(maxBytes: size * 10, maxEntryBytes: size);
        for (var i = 0; i < 10; i++)
        {
            await store.SetAsync(Response($"https://example.com/{i:00}"), Token);
        }

        store.CompleteMaintenance();
        Assert.Single(await store.GetAsync("https://example.com/00", Token));

        for (var i = 10; i < 15; i++)
        {
            await store.SetAsync(Response($"https://example.com/{i:00}"), Token);
        }

        // Evictions happen in the policy's maintenance, which otherwise runs on the thread pool whenever it gets there.
        store.CompleteMaintenance();
        Assert.Single(await store.GetAsync("https://example.com/00", Token));
        for (var i = 1; i <= 5; i++)
        {
            Assert.Empty(await store.GetAsync($"https://example.com/{i:00}", Token));
        }

        Assert.Equal(5, store.Statistics.Evictions);
    }

    [Fact]
    public async Task Indexes_HoldNoDeadKeys_AfterEvictionsReplacementsAndRemovals()
    {
        var size = Response("https://example.com/00", "v=0").Size;
        var store = new MemoryHttpCacheStore(maxBytes: size * 20, maxEntryBytes: size);

        for (var i = 0; i < 300; i++)
        {
            Assert.True(await store.SetAsync(Response($"https://example.com/{i % 60:00}", $"v={i % 3}", tags: [$"t{i % 7}", "all"]), Token));
            StoreAssert.IndexesMatch(store);
        }

        await store.RemoveTagAsync("t3", Token);
        StoreAssert.IndexesMatch(store);
        await store.RemoveTargetPrefixAsync("https://example.com/5", Token);
        StoreAssert.IndexesMatch(store);
        await store.RemoveTargetAsync("https://example.com/59", Token);
        StoreAssert.IndexesMatch(store);
        await store.RemoveTagAsync("all", Token);

        var indexes = store.Indexes();
        Assert.Empty(indexes.ByKey);
        Assert.Equal(0, indexes.Targets);
        Assert.Equal(0, indexes.Tags);
        Assert.Equal(0, store.Statistics.Entries);
        Assert.Equal(0, store.Statistics.Bytes);
        Assert.True(store.Statistics.Evictions > 0);
    }

    // The policy also bounds the number of items; evictions it makes on its own (in its background maintenance) are
    // accounted too.
    [Fact]
    public async Task EvictionsByTheItemBound_AreAccountedAndIndexed()
    {
        var store = new MemoryHttpCacheStore(maxBytes: 1 << 24, maxEntryBytes: 1 << 20, maxEntries: 16);

        for (var i = 0; i < 500; i++)
        {
            await store.SetAsync(Response($"https://example.com/{i}", tags: [$"t{i % 5}"]), Token);
        }

        store.CompleteMaintenance();
        Assert.True(store.Statistics.Entries <= 16);
        Assert.Equal(500 - store.Statistics.Entries, store.Statistics.Evictions);
        StoreAssert.IndexesMatch(store);
    }
}
