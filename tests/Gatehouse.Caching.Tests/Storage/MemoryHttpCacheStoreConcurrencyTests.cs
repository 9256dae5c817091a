using Gatehouse.Caching.Storage;
using static Gatehouse.Caching.Tests.Storage.StoredResponses;

namespace Gatehouse.Caching.Tests.Storage;

/// <summary>The byte bound and the indexes under writers, readers and purges on several threads at once.</summary>
public class MemoryHttpCacheStoreConcurrencyTests
{
    private const int Workers = 8;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ByteBound_HoldsAfterEveryOperation_WithTenThousandDistinctKeysFromSeveralThreads()
    {
        var store = new MemoryHttpCacheStore(maxBytes: 64 * 1024, maxEntryBytes: 8 * 1024);

        var violations = await RunAsync(store, Workers, keysPerWorker: 10_000 / Workers, async (worker, i) =>
        {
            var n = (i * Workers) + worker; // distinct across workers: 0..9999
            Assert.True(await store.SetAsync(Response($"https://example.com/{n}", $"v={n % 3}", bodyBytes: n * 7919 % 3000, tags: [$"t{n % 10}"]), Token));
            if (n % 10 == 0)
            {
                await store.GetAsync($"https://example.com/{n - 5}", Token);
            }

            if (n % 97 == 0)
            {
                await store.RemoveTagAsync($"t{n % 10}", Token);
            }
        });

        Assert.Empty(violations);
        Assert.True(store.Statistics.Evictions > 0);
        Assert.True(store.Statistics.Entries > 0);
        StoreAssert.IndexesMatch(store);
    }

    // Small entries against a low item bound: the policy evicts on its own, in background maintenance, concurrently.
    [Fact]
    public async Task ItemBoundEvictions_AreAccounted_WithSeveralThreads()
    {
        var store = new MemoryHttpCacheStore(maxBytes: 1 << 20, maxEntryBytes: 1 << 20, maxEntries: 32);

        var violations = await RunAsync(store, Workers, keysPerWorker: 2_000, async (worker, i) =>
        {
            var n = (i * Workers) + worker;
            await store.SetAsync(Response($"https://example.com/{n}", bodyBytes: n % 50, tags: [$"t{n % 4}"]), Token);
            await store.GetAsync($"https://example.com/{n - Workers}", Token);
        });

        Assert.Empty(violations);
        StoreAssert.IndexesMatch(store);
        Assert.True(store.Statistics.Entries <= 32);
        Assert.Equal((Workers * 2_000) - store.Statistics.Entries, store.Statistics.Evictions);
    }

    // Replacing the same variants, adding and removing the same keys, purging by target, prefix and tag, all at once.
    [Fact]
    public async Task Indexes_StayExact_UnderContendedReplacementsAndPurges()
    {
        var store = new MemoryHttpCacheStore(maxBytes: 32 * 1024, maxEntryBytes: 4 * 1024, maxEntries: 64);

        var violations = await RunAsync(store, Workers, keysPerWorker: 3_000, async (worker, i) =>
        {
            var n = (i * 13) + worker;
            var key = $"https://example.com/{n % 40}";
            switch (n % 11)
            {
                case 0:
                    await store.RemoveAsync(key, $"v={n % 4}", Token);
                    break;
                case 1:
                    await store.RemoveTargetAsync(key, Token);
                    break;
                case 2:
                    await store.RemoveTagAsync($"t{n % 5}", Token);
                    break;
                case 3:
                    await store.RemoveTargetPrefixAsync("https://example.com/3", Token);
                    break;
                default:
                    await store.SetAsync(Response(key, $"v={n % 4}", bodyBytes: n * 31 % 2000, tags: [$"t{n % 5}", $"u{worker}"], seed: n), Token);
                    await store.GetAsync(key, Token);
                    break;
            }
        });

        Assert.Empty(violations);
        StoreAssert.IndexesMatch(store);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on <paramref name="workers"/> threads, started together, and checks the byte
    /// bound after each operation and, all along, from one more thread that only reads the statistics.
    /// </summary>
    private static async Task<List<string>> RunAsync(MemoryHttpCacheStore store, int workers, int keysPerWorker, Func<int, int, Task> operation)
    {
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = workers;

        void Check(string when)
        {
            var statistics = store.Statistics;
            if (statistics.Bytes > statistics.MaxBytes || statistics.Bytes < 0 || statistics.Entries < 0)
            {
                violations.Enqueue($"{when}: {statistics}");
            }
        }

        var tasks = Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                for (var i = 0; i < keysPerWorker; i++)
                {
                    await operation(worker, i);
                    Check($"worker {worker} op {i}");
                }
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        })).ToList();
        var observer = Task.Run(async () =>
        {
            await start.Task;
            while (Volatile.Read(ref running) > 0)
            {
                Check("observer");
            }
        });

        start.SetResult();
        await Task.WhenAll(tasks.Append(observer));
        Check("end");
        return [.. violations];
    }
}
