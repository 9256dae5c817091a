using Gatehouse.Caching.Storage;

namespace Gatehouse.Caching.Tests.Storage;

internal static class StoreAssert
{
    /// <summary>
    /// Once the policy's background maintenance has run, the byte count is the sum of the sizes of the entries the policy
    /// holds, and every index refers to exactly those entries: no dead keys left behind by evictions or removals, none
    /// missing.
    /// </summary>
    public static void IndexesMatch(MemoryHttpCacheStore store)
    {
        store.CompleteMaintenance();
        var present = store.PolicyEntries();
        var statistics = store.Statistics;

        Assert.Equal(0, store.UnexpectedEvictions);
        Assert.Equal(present.Sum(r => r.Size), statistics.Bytes);
        Assert.Equal(present.Count, statistics.Entries);
        IndexesMatch(store.Indexes(), present);
    }

    /// <summary>Every index refers to exactly the <paramref name="present"/> entries.</summary>
    public static void IndexesMatch(StoreIndexes indexes, IReadOnlyCollection<CachedResponse> present)
    {
        var keys = Names(present.Select(EntryKey.Of));
        Assert.Equal(keys, Names(indexes.ByKey));
        if (indexes.Recency is { } recency)
        {
            Assert.Equal(keys, Names(recency));
        }

        Assert.Equal(keys, Names(indexes.ByTarget));
        Assert.Equal(Names(present.Where(r => r.Tags.Count > 0).Select(EntryKey.Of)), Names(indexes.ByTag));
        Assert.Equal(present.Select(r => r.Target).Distinct().Count(), indexes.Targets);
        Assert.Equal(present.SelectMany(r => r.Tags).Distinct().Count(), indexes.Tags);
    }

    private static List<string> Names(IEnumerable<EntryKey> keys) =>
        [.. keys.Select(k => k.Key + "\n" + k.VaryKey).Order(StringComparer.Ordinal)];
}
