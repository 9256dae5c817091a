using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using static Gatehouse.Caching.Tests.Storage.StoredResponses;

namespace Gatehouse.Caching.Tests.Storage;

public class TieredHttpCacheStoreTests
{
    private const long Unlimited = 1 << 30;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Set_WritesMemoryAtOnce_AndTheDiskInTheBackground()
    {
        using var directory = new TempDirectory();
        var disk = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), disk);
        var response = Response("https://example.com/a", tags: ["x"]);

        Assert.True(await store.SetAsync(response, Token));
        Assert.Same(response, Assert.Single(store.Memory.Get(response.Key)));

        await store.FlushAsync();
        AssertSame(response, Assert.Single(await disk.GetAsync(response.Key, Token)));
        Assert.Equal(store.Memory.Statistics, store.Statistics);
    }

    // Partial entries (RFC 9111 §3.3) stay in memory; the disk's older copy of the variant goes, so it cannot come back.
    [Fact]
    public async Task PartialEntry_StaysInMemory_AndTakesTheDisksCopyAway()
    {
        using var directory = new TempDirectory();
        var disk = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        var complete = Response("https://example.com/a");
        await disk.SetAsync(complete, Token);
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), disk);
        var partial = complete with { StatusCode = 206, Body = Body(10), Parts = [new ContentPart(0, 9, 100)] };

        Assert.True(await store.SetAsync(partial, Token));
        await store.FlushAsync();

        Assert.Same(partial, Assert.Single(store.Memory.Get(partial.Key)));
        Assert.Empty(await disk.GetAsync(partial.Key, Token));
        Assert.False(await disk.SetAsync(partial, Token));
        Assert.Throws<ArgumentException>(() => StoredEntryEncoding.Encode(partial));
    }

    [Fact]
    public async Task Get_MissInMemory_ReadsTheDisk_AndPromotes()
    {
        using var directory = new TempDirectory();
        var disk = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        var response = Response("https://example.com/a", "v=1");
        await disk.SetAsync(response, Token);
        await disk.SetAsync(Response("https://example.com/a", "v=2"), Token);
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), disk);

        Assert.Equal(2, (await store.GetAsync(response.Key, Token)).Count);

        AssertSame(response, store.Memory.Get(response.Key).Single(r => r.VaryKey == "v=1"));
        Assert.Equal(2, store.Memory.Statistics.Entries);
    }

    // A promotion copies only what memory lacks: a newer variant written meanwhile is not replaced by the disk's copy.
    [Fact]
    public async Task Promotion_DoesNotOverwriteANewerWriteInMemory()
    {
        var second = new GatedStore();
        await second.Inner.SetAsync(Response("https://example.com/a", seed: 1), Token);
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), second);
        second.HoldGets();

        var get = store.GetAsync("https://example.com/a", Token);
        await second.GetStarted;
        var newer = Response("https://example.com/a", seed: 2);
        await store.SetAsync(newer, Token);
        second.ReleaseGets();
        await get;

        Assert.Same(newer, Assert.Single(store.Memory.Get("https://example.com/a")));
    }

    // A read that began before a removal must not copy the removed entry back into memory after it.
    [Fact]
    public async Task Promotion_DoesNotUndoARemovalThatHappenedDuringTheRead()
    {
        var second = new GatedStore();
        var response = Response("https://example.com/a", tags: ["x"]);
        await second.Inner.SetAsync(response, Token);
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), second);
        second.HoldGets();

        var get = store.GetAsync(response.Key, Token);
        await second.GetStarted;
        Assert.Equal(1, await store.RemoveTagAsync("x", Token));
        second.ReleaseGets();
        await get;

        Assert.Empty(store.Memory.Get(response.Key));
        Assert.Empty(await store.GetAsync(response.Key, Token));
    }

    // A removal also cancels writes still queued for the disk, and waits for the one in progress, so that neither
    // lands after it.
    [Fact]
    public async Task Removal_ReachesQueuedWritesAndTheWriteInProgress()
    {
        var second = new GatedStore();
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), second);
        second.HoldSets();
        await store.SetAsync(Response("https://example.com/a", tags: ["x"]), Token);
        await second.SetStarted;
        await store.SetAsync(Response("https://example.com/b", tags: ["x"]), Token);
        await store.SetAsync(Response("https://example.com/c", tags: ["y"]), Token);

        var removal = store.RemoveTagAsync("x", Token).AsTask();
        Assert.False(removal.IsCompleted);
        second.ReleaseSets();
        Assert.Equal(2, await removal);
        await store.FlushAsync();

        Assert.Empty(await store.GetAsync("https://example.com/a", Token));
        Assert.Empty(await store.GetAsync("https://example.com/b", Token));
        Assert.Empty(await second.Inner.GetAsync("https://example.com/a", Token));
        Assert.Empty(await second.Inner.GetAsync("https://example.com/b", Token));
        Assert.Single(await second.Inner.GetAsync("https://example.com/c", Token));
    }

    [Fact]
    public async Task PastTheQueueLimit_ASetWaitsForTheSecondTier()
    {
        var second = new GatedStore();
        var size = Response("https://example.com/a").Size;
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), second, maxQueuedBytes: size);
        second.HoldSets();
        await store.SetAsync(Response("https://example.com/a"), Token);
        await second.SetStarted;
        await store.SetAsync(Response("https://example.com/b"), Token);

        var waiting = store.SetAsync(Response("https://example.com/c"), Token).AsTask();

        Assert.False(waiting.IsCompleted);
        Assert.Single(store.Memory.Get("https://example.com/c"));
        second.ReleaseSets();
        Assert.True(await waiting);
        await store.FlushAsync();
        Assert.Equal(3, second.Inner.Statistics.Entries);
    }

    [Fact]
    public async Task Dispose_WaitsForQueuedWrites_SoANewDiskStoreFindsThem()
    {
        using var directory = new TempDirectory();
        var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, Unlimited), new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited));
        for (var i = 0; i < 200; i++)
        {
            await store.SetAsync(Response($"https://example.com/{i}", bodyBytes: 2000, seed: i), Token);
        }

        await store.DisposeAsync();

        var restarted = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        Assert.Equal(200, restarted.Statistics.Entries);
        Assert.Equal(Body(2000, 123), Assert.Single(await restarted.GetAsync("https://example.com/123", Token)).Body.ToArray());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.SetAsync(Response("https://example.com/late"), Token));
    }

    [Fact]
    public async Task EntryTooLargeForMemory_IsKeptOnDiskOnly()
    {
        using var directory = new TempDirectory();
        var disk = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        var small = Response("https://example.com/small", bodyBytes: 10);
        var large = Response("https://example.com/large", bodyBytes: 10_000);
        await using var store = new TieredHttpCacheStore(new MemoryHttpCacheStore(Unlimited, maxEntryBytes: small.Size), disk);

        Assert.Equal(Unlimited, store.MaxEntryBytes);
        Assert.True(await store.SetAsync(large, Token));
        await store.FlushAsync();

        AssertSame(large, Assert.Single(await store.GetAsync(large.Key, Token)));
        Assert.Equal(0, store.Memory.Statistics.Entries);
    }

    [Fact]
    public async Task Create_FromOptions_IsMemoryOnly_OrTieredWithADiskPath()
    {
        using var directory = new TempDirectory();

        var memoryOnly = HttpCacheStores.Create(new HttpCacheOptions { MaxBytes = 1000, MaxEntryBytes = 100 });
        await using var tiered = (TieredHttpCacheStore)HttpCacheStores.Create(new HttpCacheOptions { MaxBytes = 1000, MaxEntryBytes = 100, DiskPath = directory.Path, DiskMaxBytes = 5000 });

        Assert.Equal(new HttpCacheStoreStatistics(0, 0, 1000, 0), Assert.IsType<MemoryHttpCacheStore>(memoryOnly).Statistics);
        Assert.Equal(5000, tiered.SecondTier.Statistics.MaxBytes);
        Assert.Equal(100, tiered.MaxEntryBytes);
        Assert.True(Directory.Exists(directory.Path));
    }

    /// <summary>A second tier whose reads and writes can be held at their start, to order them against other calls.</summary>
    private sealed class GatedStore : IHttpCacheStore
    {
        private readonly TaskCompletionSource getStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource setStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource gets = Open();
        private TaskCompletionSource sets = Open();

        public MemoryHttpCacheStore Inner { get; } = new(Unlimited, Unlimited);

        public Task GetStarted => getStarted.Task;

        public Task SetStarted => setStarted.Task;

        public long MaxEntryBytes => Inner.MaxEntryBytes;

        public HttpCacheStoreStatistics Statistics => Inner.Statistics;

        public void HoldGets() => gets = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseGets() => gets.SetResult();

        public void HoldSets() => sets = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseSets() => sets.SetResult();

        public async ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            var found = Inner.Get(key);
            getStarted.TrySetResult();
            await gets.Task;
            return found;
        }

        public async ValueTask<bool> SetAsync(CachedResponse response, CancellationToken cancellationToken = default)
        {
            setStarted.TrySetResult();
            await sets.Task;
            return await Inner.SetAsync(response, cancellationToken);
        }

        public ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default) => Inner.RemoveAsync(key, varyKey, cancellationToken);

        public ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default) => Inner.RemoveTargetAsync(target, cancellationToken);

        public ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default) => Inner.RemoveTargetPrefixAsync(prefix, cancellationToken);

        public ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default) => Inner.RemoveTagAsync(tag, cancellationToken);

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
