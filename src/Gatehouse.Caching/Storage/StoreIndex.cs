using System.Collections.Concurrent;

namespace Gatehouse.Caching.Storage;

/// <summary>What a store indexes about one of its entries.</summary>
internal interface IIndexedEntry
{
    string Key { get; }

    string VaryKey { get; }

    string Target { get; }

    /// <summary>Distinct.</summary>
    string[] Tags { get; }

    /// <summary>What the entry counts towards the store's bound.</summary>
    long Size { get; }
}

/// <summary>
/// The indexes a store keeps over its entries — by primary key (its variants), by target (invalidation, purge by URL
/// and by prefix) and by tag (purge by tag) — with their count and total size, all changed together. An entry is one
/// object per store of a variant and is compared by reference, so that a late removal of an earlier store of the same
/// variant cannot take out the current one.
/// </summary>
/// <remarks>
/// Changes are made under the store's own lock. <see cref="Variants"/>, <see cref="Count"/> and <see cref="Bytes"/>
/// may be read without it: a key's variants are an array replaced whole on every change.
/// </remarks>
internal sealed class StoreIndex<TEntry>
    where TEntry : class, IIndexedEntry
{
    private readonly ConcurrentDictionary<string, TEntry[]> byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<TEntry>> byTarget = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<TEntry>> byTag = new(StringComparer.Ordinal);
    private long bytes;
    private long count;

    public long Count => Volatile.Read(ref count);

    public long Bytes => Volatile.Read(ref bytes);

    /// <summary>Every indexed entry.</summary>
    public IEnumerable<TEntry> Entries => byKey.Values.SelectMany(variants => variants);

    /// <summary>The variants of <paramref name="key"/>; empty when there is none.</summary>
    public TEntry[] Variants(string key) => byKey.TryGetValue(key, out var variants) ? variants : [];

    public TEntry? Find(string key, string varyKey) => Array.Find(Variants(key), entry => entry.VaryKey == varyKey);

    /// <summary>Indexes <paramref name="entry"/>, whose variant must not be indexed (remove the old one first).</summary>
    public void Add(TEntry entry)
    {
        if (Find(entry.Key, entry.VaryKey) is not null)
        {
            throw new InvalidOperationException("The variant is indexed already.");
        }

        byKey[entry.Key] = [.. Variants(entry.Key), entry];
        Add(byTarget, entry.Target, entry);
        foreach (var tag in entry.Tags)
        {
            Add(byTag, tag, entry);
        }

        Volatile.Write(ref bytes, bytes + entry.Size);
        Volatile.Write(ref count, count + 1);
    }

    /// <summary>Removes <paramref name="entry"/> if it is what is indexed for its variant; false when it is not.</summary>
    public bool Remove(TEntry entry)
    {
        var variants = Variants(entry.Key);
        var at = Array.IndexOf(variants, entry);
        if (at < 0)
        {
            return false;
        }

        if (variants.Length == 1)
        {
            byKey.TryRemove(entry.Key, out _);
        }
        else
        {
            byKey[entry.Key] = [.. variants[..at], .. variants[(at + 1)..]];
        }

        Remove(byTarget, entry.Target, entry);
        foreach (var tag in entry.Tags)
        {
            Remove(byTag, tag, entry);
        }

        Volatile.Write(ref bytes, bytes - entry.Size);
        Volatile.Write(ref count, count - 1);
        return true;
    }

    public List<TEntry> WithTarget(string target) => byTarget.TryGetValue(target, out var entries) ? [.. entries] : [];

    /// <summary>A scan of the distinct targets: purging by prefix is an administrative act, rare next to reads and writes.</summary>
    public List<TEntry> WithTargetPrefix(string prefix) =>
        [.. byTarget.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).SelectMany(t => t.Value)];

    public List<TEntry> WithTag(string tag) => byTag.TryGetValue(tag, out var entries) ? [.. entries] : [];

    /// <summary>For tests: every entry key each index refers to.</summary>
    public StoreIndexes Describe() => new(
        [.. Entries.Select(KeyOf)],
        [.. byTarget.Values.SelectMany(e => e).Select(KeyOf)],
        [.. byTag.Values.SelectMany(e => e).Distinct().Select(KeyOf)],
        byTarget.Count,
        byTag.Count);

    private static EntryKey KeyOf(TEntry entry) => new(entry.Key, entry.VaryKey);

    private static void Add(Dictionary<string, HashSet<TEntry>> index, string name, TEntry entry)
    {
        if (!index.TryGetValue(name, out var entries))
        {
            index[name] = entries = [];
        }

        entries.Add(entry);
    }

    private static void Remove(Dictionary<string, HashSet<TEntry>> index, string name, TEntry entry)
    {
        if (index.TryGetValue(name, out var entries) && entries.Remove(entry) && entries.Count == 0)
        {
            index.Remove(name);
        }
    }
}

/// <summary>What a store's indexes refer to, for tests that look for leaks. <paramref name="Recency"/>: the disk store's list.</summary>
internal sealed record StoreIndexes(
    IReadOnlyList<EntryKey> ByKey,
    IReadOnlyList<EntryKey> ByTarget,
    IReadOnlyList<EntryKey> ByTag,
    int Targets,
    int Tags,
    IReadOnlyList<EntryKey>? Recency = null);
