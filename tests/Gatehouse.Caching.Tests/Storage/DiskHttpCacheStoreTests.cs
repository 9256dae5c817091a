using System.Runtime.Versioning;
using Gatehouse.Caching.Storage;
using static Gatehouse.Caching.Tests.Storage.StoredResponses;

namespace Gatehouse.Caching.Tests.Storage;

public class DiskHttpCacheStoreTests
{
    private const long Unlimited = 1 << 30;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewStoreOnTheSameDirectory_FindsEverythingAgain()
    {
        using var directory = new TempDirectory();
        var first = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        CachedResponse[] stored =
        [
            Response("https://example.com/a", "v=1", bodyBytes: 500, tags: ["product-1", "all"], seed: 1),
            Response("https://example.com/a", "v=2", bodyBytes: 0, tags: ["all"], seed: 2),
            Response("https://example.com/b header:x-tenant=7", target: "https://example.com/b", bodyBytes: 70_000, seed: 3),
            Response("https://example.com/api/c?q=1", bodyBytes: 1, tags: ["product-1"], seed: 4),
        ];
        foreach (var response in stored)
        {
            Assert.True(await first.SetAsync(response, Token));
        }

        var second = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);

        Assert.Equal(first.Statistics, second.Statistics);
        foreach (var response in stored)
        {
            AssertSame(response, (await VariantsAsync(second, response.Key))[response.VaryKey]);
        }

        // The indexes were rebuilt from the files: purges find entries by target, prefix and tag.
        Assert.Equal(1, await second.RemoveTargetAsync("https://example.com/b", Token));
        Assert.Equal(1, await second.RemoveTargetPrefixAsync("https://example.com/api/", Token));
        Assert.Equal(2, await second.RemoveTagAsync("all", Token));
        Assert.Equal(0, second.Statistics.Entries);
        Assert.Empty(directory.Files());
        StoreAssert.IndexesMatch(second.Indexes(), []);
    }

    [Fact]
    public async Task Files_AreNamedByTheHashOfKeyAndVariant_AndNoTemporaryFileRemains()
    {
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);

        await store.SetAsync(Response("https://example.com/a", "v=1"), Token);
        await store.SetAsync(Response("https://example.com/a", "v=1", seed: 5), Token);
        await store.SetAsync(Response("https://example.com/a"), Token);

        Assert.Equal(
            new[] { DiskEntryFile.NameOf("https://example.com/a", "v=1"), DiskEntryFile.NameOf("https://example.com/a", "") }
                .Select(n => n + ".entry").Order(StringComparer.Ordinal),
            directory.Files());
        Assert.Equal(directory.Files().Sum(f => new FileInfo(Path.Combine(directory.Path, f)).Length), store.Statistics.Bytes);
        Assert.Matches("^[0-9a-f]{64}$", DiskEntryFile.NameOf("k", "v"));
        Assert.NotEqual(DiskEntryFile.NameOf("ab", "c"), DiskEntryFile.NameOf("a", "bc"));
    }

    [Fact]
    public async Task Remove_DeletesTheFileAtOnce()
    {
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        await store.SetAsync(Response("https://example.com/a", tags: ["x"]), Token);
        await store.SetAsync(Response("https://example.com/b", tags: ["x"]), Token);

        Assert.Equal(2, await store.RemoveTagAsync("x", Token));

        Assert.Empty(directory.Files());
        Assert.Equal(new HttpCacheStoreStatistics(0, 0, Unlimited, 0), store.Statistics);
    }

    [Fact]
    public async Task TruncatedFile_IsNeverServed_AndIsDeleted()
    {
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        await store.SetAsync(Response("https://example.com/a", bodyBytes: 5000), Token);
        await store.SetAsync(Response("https://example.com/b", bodyBytes: 5000), Token);
        var fileOfA = Path.Combine(directory.Path, DiskEntryFile.NameOf("https://example.com/a", "") + ".entry");
        var fileOfB = Path.Combine(directory.Path, DiskEntryFile.NameOf("https://example.com/b", "") + ".entry");
        Truncate(fileOfA, 2600);
        Truncate(fileOfB, 30);

        // Found by the running store when it reads the file.
        Assert.Empty(await store.GetAsync("https://example.com/a", Token));
        Assert.False(File.Exists(fileOfA));
        Assert.Equal(1, store.Statistics.Entries);

        // Found by a new store when it scans the directory.
        var restarted = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        Assert.Empty(await restarted.GetAsync("https://example.com/b", Token));
        Assert.Equal(0, restarted.Statistics.Entries);
        Assert.Empty(directory.Files());
    }

    [Fact]
    public async Task GarbageFiles_AreDeletedAtStart_OtherFilesAreLeftAlone()
    {
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        await store.SetAsync(Response("https://example.com/kept"), Token);
        var garbageEntry = DiskEntryFile.NameOf("https://example.com/garbage", "") + ".entry";
        var leftoverTemporary = DiskEntryFile.TemporaryNameOf(DiskEntryFile.NameOf("https://example.com/x", ""));
        await File.WriteAllBytesAsync(Path.Combine(directory.Path, garbageEntry), Body(3000, 9), Token);
        await File.WriteAllTextAsync(Path.Combine(directory.Path, DiskEntryFile.NameOf("https://example.com/empty", "") + ".entry"), "", Token);
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "GHC1" + new string('0', 60) + ".entry"), "GHC1", Token);
        await File.WriteAllTextAsync(Path.Combine(directory.Path, leftoverTemporary), "half a write", Token);
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "README.txt"), "not ours", Token);

        var restarted = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);

        Assert.Equal(1, restarted.Statistics.Entries);
        Assert.Single(await restarted.GetAsync("https://example.com/kept", Token));
        Assert.Empty(await restarted.GetAsync("https://example.com/garbage", Token));
        Assert.Equal(
            new[] { DiskEntryFile.NameOf("https://example.com/kept", "") + ".entry", "GHC1" + new string('0', 60) + ".entry", "README.txt" }.Order(StringComparer.Ordinal),
            directory.Files());
    }

    [Fact]
    public async Task ChangedBodyByte_FailsTheChecksum_AndIsNotServed()
    {
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        await store.SetAsync(Response("https://example.com/a", bodyBytes: 1000), Token);
        var file = Path.Combine(directory.Path, DiskEntryFile.NameOf("https://example.com/a", "") + ".entry");
        var bytes = await File.ReadAllBytesAsync(file, Token);
        bytes[^10] ^= 0x01;
        await File.WriteAllBytesAsync(file, bytes, Token);

        // The header is intact, so a restart indexes the file; reading it finds the damage.
        var restarted = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        Assert.Equal(1, restarted.Statistics.Entries);
        Assert.Empty(await restarted.GetAsync("https://example.com/a", Token));
        Assert.Equal(0, restarted.Statistics.Entries);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task FileUnderAnotherEntrysName_IsNotServedForIt()
    {
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        await store.SetAsync(Response("https://example.com/a"), Token);
        File.Copy(
            Path.Combine(directory.Path, DiskEntryFile.NameOf("https://example.com/a", "") + ".entry"),
            Path.Combine(directory.Path, DiskEntryFile.NameOf("https://example.com/b", "") + ".entry"));

        var restarted = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);

        Assert.Empty(await restarted.GetAsync("https://example.com/b", Token));
        Assert.Single(await restarted.GetAsync("https://example.com/a", Token));
        Assert.Single(directory.Files());
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task NewDirectory_Is0700_AndFilesAre0600()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(Path.Combine(directory.Path, "cache"), Unlimited, Unlimited);

        await store.SetAsync(Response("https://example.com/a"), Token);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.DirectoryPath));
        var file = Assert.Single(Directory.GetFiles(store.DirectoryPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task PastMaxBytes_TheLeastRecentlyUsedFilesAreEvicted()
    {
        using var directory = new TempDirectory();
        var fileLength = await FileLengthOfAsync(Response("https://example.com/0", bodyBytes: 1000));
        var store = new DiskHttpCacheStore(directory.Path, maxBytes: fileLength * 3, Unlimited);
        for (var i = 0; i < 3; i++)
        {
            await store.SetAsync(Response($"https://example.com/{i}", bodyBytes: 1000), Token);
        }

        await store.GetAsync("https://example.com/0", Token);
        await store.SetAsync(Response("https://example.com/3", bodyBytes: 1000), Token);

        Assert.Empty(await store.GetAsync("https://example.com/1", Token));
        Assert.Single(await store.GetAsync("https://example.com/0", Token));
        Assert.Equal(new HttpCacheStoreStatistics(3, fileLength * 3, fileLength * 3, 1), store.Statistics);
        Assert.Equal(3, directory.Files().Length);
    }

    // Recency is kept in memory: a hit costs no write to the disk.
    [Fact]
    public async Task Hit_DoesNotModifyTheFile()
    {
        using var directory = new TempDirectory();
        var clock = new StepClock();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited, clock);
        await store.SetAsync(Response("https://example.com/a", bodyBytes: 100), Token);
        var file = new FileInfo(Path.Combine(directory.Path, Assert.Single(directory.Files())));
        var (written, content) = (file.LastWriteTimeUtc, await File.ReadAllBytesAsync(file.FullName, Token));

        clock.Advance(60);
        Assert.Single(await store.GetAsync("https://example.com/a", Token));

        file.Refresh();
        Assert.Equal(written, file.LastWriteTimeUtc);
        Assert.Equal(content, await File.ReadAllBytesAsync(file.FullName, Token));
    }

    // Approximate LRU across a restart: modification times, set on write and moved to the last hit when the store is
    // disposed, order the scan.
    [Fact]
    public async Task AfterARestart_RecencyComesFromModificationTimes()
    {
        using var directory = new TempDirectory();
        var clock = new StepClock();
        var fileLength = await FileLengthOfAsync(Response("https://example.com/0", bodyBytes: 1000));
        var first = new DiskHttpCacheStore(directory.Path, maxBytes: fileLength * 3, Unlimited, clock);
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(10);
            await first.SetAsync(Response($"https://example.com/{i}", bodyBytes: 1000), Token);
        }

        clock.Advance(10);
        await first.GetAsync("https://example.com/0", Token);
        first.Dispose();

        var restarted = new DiskHttpCacheStore(directory.Path, maxBytes: fileLength * 3, Unlimited, clock);
        await restarted.SetAsync(Response("https://example.com/3", bodyBytes: 1000), Token);
        await restarted.SetAsync(Response("https://example.com/4", bodyBytes: 1000), Token);

        Assert.Single(await restarted.GetAsync("https://example.com/0", Token));
        Assert.Empty(await restarted.GetAsync("https://example.com/1", Token));
        Assert.Empty(await restarted.GetAsync("https://example.com/2", Token));
    }

    [Fact]
    public async Task LowerMaxBytesAtRestart_EvictsTheOldestUntilItFits()
    {
        using var directory = new TempDirectory();
        var clock = new StepClock();
        var fileLength = await FileLengthOfAsync(Response("https://example.com/0", bodyBytes: 1000));
        var first = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited, clock);
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(10);
            await first.SetAsync(Response($"https://example.com/{i}", bodyBytes: 1000), Token);
        }

        var restarted = new DiskHttpCacheStore(directory.Path, maxBytes: fileLength * 2, Unlimited, clock);

        Assert.Equal(new HttpCacheStoreStatistics(2, fileLength * 2, fileLength * 2, 3), restarted.Statistics);
        Assert.Single(await restarted.GetAsync("https://example.com/4", Token));
        Assert.Single(await restarted.GetAsync("https://example.com/3", Token));
        Assert.Equal(2, directory.Files().Length);
    }

    [Fact]
    public async Task Indexes_HoldNoDeadKeys_AfterEvictionsReplacementsAndRemovals()
    {
        using var directory = new TempDirectory();
        var fileLength = await FileLengthOfAsync(Response("https://example.com/00", "v=0", bodyBytes: 300, tags: ["t0", "all"]));
        var store = new DiskHttpCacheStore(directory.Path, maxBytes: fileLength * 10, Unlimited);
        var present = new Dictionary<string, CachedResponse>();

        for (var i = 0; i < 100; i++)
        {
            var response = Response($"https://example.com/{i % 30:00}", $"v={i % 2}", bodyBytes: 300, tags: [$"t{i % 7}", "all"]);
            await store.SetAsync(response, Token);
        }

        await store.RemoveTagAsync("t3", Token);
        await store.RemoveTargetPrefixAsync("https://example.com/2", Token);
        foreach (var name in directory.Files())
        {
            var header = DiskEntryFile.TryReadHeader(Path.Combine(directory.Path, name), name[..64], out _, out _);
            present[name] = (await VariantsAsync(store, header!.Key))[header.VaryKey];
        }

        StoreAssert.IndexesMatch(store.Indexes(), present.Values);
        Assert.True(store.Statistics.Evictions > 0);
        Assert.Equal(present.Count, store.Statistics.Entries);
    }

    // Writers replacing the same variants, readers and purges at once: afterwards the files, the byte count and the
    // indexes agree, the bound held, and every indexed file reads back whole.
    [Fact]
    public async Task ConcurrentWritesReadsAndPurges_LeaveFilesAndIndexesInAgreement()
    {
        using var directory = new TempDirectory();
        var fileLength = await FileLengthOfAsync(Response("https://example.com/00", "v=0", bodyBytes: 2000, tags: ["t0"]));
        var store = new DiskHttpCacheStore(directory.Path, maxBytes: fileLength * 12, Unlimited);
        var overLimit = 0;

        await Task.WhenAll(Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                var n = (i * 6) + worker;
                var key = $"https://example.com/{n % 20:00}";
                if (n % 9 == 0)
                {
                    await store.RemoveTagAsync($"t{n % 3}", Token);
                }
                else
                {
                    await store.SetAsync(Response(key, $"v={n % 2}", bodyBytes: 2000, tags: [$"t{n % 3}"], seed: n), Token);
                    await store.GetAsync(key, Token);
                }

                if (store.Statistics.Bytes > store.MaxBytes)
                {
                    Interlocked.Increment(ref overLimit);
                }
            }
        })));

        Assert.Equal(0, overLimit);
        var files = directory.Files();
        Assert.All(files, f => Assert.EndsWith(".entry", f, StringComparison.Ordinal));
        Assert.Equal(files.Length, store.Statistics.Entries);
        Assert.Equal(files.Sum(f => new FileInfo(Path.Combine(directory.Path, f)).Length), store.Statistics.Bytes);
        var present = new List<CachedResponse>();
        foreach (var name in files)
        {
            var header = DiskEntryFile.TryReadHeader(Path.Combine(directory.Path, name), name[..64], out _, out _);
            present.Add((await VariantsAsync(store, header!.Key))[header.VaryKey]);
        }

        StoreAssert.IndexesMatch(store.Indexes(), present);
    }

    private static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    private static async Task<long> FileLengthOfAsync(CachedResponse response)
    {
        using var directory = new TempDirectory();
        var store = new DiskHttpCacheStore(directory.Path, Unlimited, Unlimited);
        await store.SetAsync(response, Token);
        return store.Statistics.Bytes;
    }
}
