using System.Collections.Concurrent;
using BitFaster.Caching;
using BitFaster.Caching.Lfu;
using BitFaster.Caching.Scheduler;

namespace Gatehouse.Caching.Storage;

/// <summary>
/// Keeps responses in memory, bounded by the total of their <see cref="CachedResponse.Size"/>. The eviction order is
/// BitFaster.Caching's <see cref="ConcurrentLfu{K,V}"/> (W-TinyLFU: window, probation and protected segments).
/// </summary>
/// <remarks>
/// <para>
/// BitFaster bounds a number of items, not bytes. This store keeps the byte count itself and, before it accounts a new
/// entry, trims the policy one item at a time (probation first, then protected, then window, each least recently used
/// first) until the entry fits. So <see cref="HttpCacheStoreStatistics.Bytes"/> never exceeds <see cref="MaxBytes"/>,
/// not even for a moment. The policy's item capacity is only a backstop (by default <c>MaxBytes / 1024</c>): responses
/// averaging under about a kilobyte are bounded by count first, and then the policy's frequency-based admission decides.
/// </para>
/// <para>
/// Reads take no lock: a primary key's variant list and the policy's own concurrent dictionary answer them. Writes and
/// removals take one lock, so the byte count and the indexes by key, target and tag change together; a removal is
/// visible to every read that starts after it returns.
/// </para>
/// </remarks>
public sealed class MemoryHttpCacheStore : IHttpCacheStore
{
    private const long BytesPerPolicySlot = 1024;
    private const int MinimumPolicyCapacity = 16;
    private const int MaximumPolicyCapacity = 1 << 22;

    private readonly ConcurrentLfu<EntryKey, StoredEntry> policy;
    private readonly Lock gate = new();
    private readonly Dictionary<EntryKey, StoredEntry> accounted = [];
    private readonly ConcurrentDictionary<string, string[]> varyKeysByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<EntryKey>> byTarget = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<EntryKey>> byTag = new(StringComparer.Ordinal);

    // Evictions the policy reported on a thread that did not hold the gate (its background maintenance).
    private readonly ConcurrentQueue<KeyValuePair<EntryKey, StoredEntry>> evictedElsewhere = new();
    private long bytes;
    private long entries;
    private long evictions;
    private long policyRemovalsSeen;
    private long unexpectedEvictions;

    /// <param name="maxBytes">The total of <see cref="CachedResponse.Size"/> kept.</param>
    /// <param name="maxEntryBytes">The largest entry accepted (at most <paramref name="maxBytes"/>).</param>
    /// <param name="maxEntries">The policy's item capacity; by default <c>maxBytes / 1024</c>, between 16 and 4,194,304.</param>
    public MemoryHttpCacheStore(long maxBytes, long maxEntryBytes, int? maxEntries = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntryBytes);
        var capacity = maxEntries ?? (int)Math.Clamp(maxBytes / BytesPerPolicySlot, MinimumPolicyCapacity, MaximumPolicyCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 3, nameof(maxEntries));

        MaxBytes = maxBytes;
        MaxEntryBytes = Math.Min(maxEntryBytes, maxBytes);
        policy = new ConcurrentLfu<EntryKey, StoredEntry>(Environment.ProcessorCount, capacity, new ThreadPoolScheduler(), EqualityComparer<EntryKey>.Default);
        policy.Events.Value!.ItemRemoved += OnPolicyRemoved;
    }

    public long MaxBytes { get; }

    public long MaxEntryBytes { get; }

    public HttpCacheStoreStatistics Statistics
    {
        get
        {
            if (!evictedElsewhere.IsEmpty)
            {
                lock (gate)
                {
                    DrainEvictedElsewhere();
                }
            }

            return new(Volatile.Read(ref entries), Volatile.Read(ref bytes), MaxBytes, Volatile.Read(ref evictions));
        }
    }

    public ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default) => new(Get(key));

    public ValueTask<bool> SetAsync(CachedResponse response, CancellationToken cancellationToken = default) => new(Set(response, onlyIfAbsent: false));

    public ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default) => new(Remove(key, varyKey));

    public ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default) => new(RemoveTarget(target));

    public ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default) => new(RemoveTargetPrefix(prefix));

    public ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default) => new(RemoveTag(tag));

    internal IReadOnlyList<CachedResponse> Get(string key)
    {
        if (!varyKeysByKey.TryGetValue(key, out var varyKeys))
        {
            return [];
        }

        List<CachedResponse>? found = null;
        foreach (var varyKey in varyKeys)
        {
            if (policy.TryGet(new EntryKey(key, varyKey), out var stored))
            {
                (found ??= new(varyKeys.Length)).Add(stored.Response);
            }
        }

        return found is null ? [] : found;
    }

    /// <summary>Stores <paramref name="response"/>; with <paramref name="onlyIfAbsent"/>, only when its variant is not stored yet.</summary>
    internal bool Set(CachedResponse response, bool onlyIfAbsent)
    {
        ArgumentNullException.ThrowIfNull(response);
        var stored = new StoredEntry(response);
        if (stored.Size > MaxEntryBytes)
        {
            return false;
        }

        var key = EntryKey.Of(response);
        lock (gate)
        {
            DrainEvictedElsewhere();
            if (accounted.TryGetValue(key, out var old))
            {
                if (onlyIfAbsent)
                {
                    return false;
                }

                // Unaccounted now, but left in the policy: AddOrUpdate below swaps the value in place, so readers never
                // see a gap. If a trim picks it first, its event finds it unaccounted and changes nothing.
                ForgetLocked(key, old);
            }

            while (bytes + stored.Size > MaxBytes && accounted.Count > 0)
            {
                EvictOneLocked();
            }

            RememberLocked(key, stored);
            policy.AddOrUpdate(key, stored);

            // Background maintenance can evict the entry while AddOrUpdate swaps the value in, and then report the old
            // value (which is no longer accounted). The eviction removes the key from the policy before it reads the value
            // it reports, so once the new value is seen here, any later eviction reports it.
            if ((!policy.TryGet(key, out var current) || !ReferenceEquals(current, stored)) && ForgetLocked(key, stored))
            {
                Volatile.Write(ref evictions, evictions + 1);
            }
        }

        return true;
    }

    internal bool Remove(string key, string varyKey)
    {
        lock (gate)
        {
            DrainEvictedElsewhere();
            return RemoveLocked(new EntryKey(key, varyKey));
        }
    }

    internal int RemoveTarget(string target)
    {
        lock (gate)
        {
            DrainEvictedElsewhere();
            return byTarget.TryGetValue(target, out var keys) ? RemoveAllLocked([.. keys]) : 0;
        }
    }

    internal int RemoveTargetPrefix(string prefix)
    {
        lock (gate)
        {
            DrainEvictedElsewhere();
            // A scan of the distinct targets: purging by prefix is an administrative act, rare next to reads and writes.
            return RemoveAllLocked(byTarget.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).SelectMany(t => t.Value).ToList());
        }
    }

    internal int RemoveTag(string tag)
    {
        lock (gate)
        {
            DrainEvictedElsewhere();
            return byTag.TryGetValue(tag, out var keys) ? RemoveAllLocked([.. keys]) : 0;
        }
    }

    /// <summary>For tests: runs the policy's pending maintenance and accounts what it evicted.</summary>
    internal void CompleteMaintenance()
    {
        policy.DoMaintenance();
        lock (gate)
        {
            DrainEvictedElsewhere();
        }
    }

    /// <summary>For tests: how often the policy had nothing to trim while entries were accounted (a bug if not 0).</summary>
    internal long UnexpectedEvictions
    {
        get
        {
            lock (gate)
            {
                return unexpectedEvictions;
            }
        }
    }

    /// <summary>For tests: the entries the policy holds.</summary>
    internal IReadOnlyList<CachedResponse> PolicyEntries() => policy.Select(entry => entry.Value.Response).ToList();

    /// <summary>For tests: every entry key each index refers to.</summary>
    internal StoreIndexes Indexes()
    {
        lock (gate)
        {
            return new StoreIndexes(
                [.. accounted.Keys],
                [.. varyKeysByKey.SelectMany(k => k.Value.Select(v => new EntryKey(k.Key, v)))],
                [.. byTarget.SelectMany(t => t.Value)],
                [.. byTag.SelectMany(t => t.Value).Distinct()],
                byTarget.Count,
                byTag.Count);
        }
    }

    private void OnPolicyRemoved(object? sender, ItemRemovedEventArgs<EntryKey, StoredEntry> e)
    {
        // Removals this store asks for are accounted where it asks for them.
        if (e.Reason is not (ItemRemovedReason.Evicted or ItemRemovedReason.Trimmed) || e.Value is not { } stored)
        {
            return;
        }

        if (gate.IsHeldByCurrentThread)
        {
            policyRemovalsSeen++;
            if (ForgetLocked(e.Key, stored))
            {
                Volatile.Write(ref evictions, evictions + 1);
            }
        }
        else
        {
            // The policy's background maintenance holds its own lock here; waiting for the gate could deadlock with a
            // writer that holds the gate and waits for that lock in Trim. The byte count only lags downwards meanwhile.
            evictedElsewhere.Enqueue(new(e.Key, stored));
        }
    }

    private void DrainEvictedElsewhere()
    {
        while (evictedElsewhere.TryDequeue(out var evicted))
        {
            if (ForgetLocked(evicted.Key, evicted.Value))
            {
                Volatile.Write(ref evictions, evictions + 1);
            }
        }
    }

    private void EvictOneLocked()
    {
        var seen = policyRemovalsSeen;
        // ConcurrentLfu's own Trim, not Policy.Eviction's: that one is a boxed copy of the cache's internal struct, whose
        // events go to the handlers the copy was made with.
        policy.Trim(1);
        DrainEvictedElsewhere();
        if (policyRemovalsSeen != seen)
        {
            return;
        }

        // The policy had nothing left to trim although entries are accounted; should not happen, but the loop must end.
        unexpectedEvictions++;
        var (key, stored) = accounted.First();
        policy.TryRemove(new KeyValuePair<EntryKey, StoredEntry>(key, stored));
        ForgetLocked(key, stored);
        Volatile.Write(ref evictions, evictions + 1);
    }

    private int RemoveAllLocked(IEnumerable<EntryKey> keys)
    {
        var removed = 0;
        foreach (var key in keys)
        {
            if (RemoveLocked(key))
            {
                removed++;
            }
        }

        return removed;
    }

    private bool RemoveLocked(EntryKey key)
    {
        if (!accounted.TryGetValue(key, out var stored))
        {
            return false;
        }

        policy.TryRemove(new KeyValuePair<EntryKey, StoredEntry>(key, stored));
        ForgetLocked(key, stored);
        return true;
    }

    private void RememberLocked(EntryKey key, StoredEntry stored)
    {
        accounted.Add(key, stored);
        Volatile.Write(ref bytes, bytes + stored.Size);
        Volatile.Write(ref entries, entries + 1);
        var varyKeys = varyKeysByKey.TryGetValue(key.Key, out var existing) ? [.. existing, key.VaryKey] : new[] { key.VaryKey };
        varyKeysByKey[key.Key] = varyKeys;
        Index(byTarget, stored.Response.Target, key);
        foreach (var tag in stored.Tags)
        {
            Index(byTag, tag, key);
        }
    }

    /// <summary>Drops <paramref name="stored"/> from the byte count and the indexes, if it is what is accounted for its key.</summary>
    private bool ForgetLocked(EntryKey key, StoredEntry stored)
    {
        if (!accounted.TryGetValue(key, out var current) || !ReferenceEquals(current, stored))
        {
            return false;
        }

        accounted.Remove(key);
        Volatile.Write(ref bytes, bytes - stored.Size);
        Volatile.Write(ref entries, entries - 1);
        var remaining = varyKeysByKey[key.Key].Where(v => v != key.VaryKey).ToArray();
        if (remaining.Length == 0)
        {
            varyKeysByKey.TryRemove(key.Key, out _);
        }
        else
        {
            varyKeysByKey[key.Key] = remaining;
        }

        Unindex(byTarget, stored.Response.Target, key);
        foreach (var tag in stored.Tags)
        {
            Unindex(byTag, tag, key);
        }

        return true;
    }

    private static void Index(Dictionary<string, HashSet<EntryKey>> index, string name, EntryKey key)
    {
        if (!index.TryGetValue(name, out var keys))
        {
            index[name] = keys = [];
        }

        keys.Add(key);
    }

    private static void Unindex(Dictionary<string, HashSet<EntryKey>> index, string name, EntryKey key)
    {
        if (index.TryGetValue(name, out var keys) && keys.Remove(key) && keys.Count == 0)
        {
            index.Remove(name);
        }
    }

    /// <summary>
    /// One accounted entry. A new instance per store, so that a late eviction event for an earlier store of the same
    /// response cannot be mistaken for the current one. Size and tags are taken once, as they were indexed.
    /// </summary>
    private sealed class StoredEntry(CachedResponse response)
    {
        public CachedResponse Response { get; } = response;

        public long Size { get; } = response.Size;

        public string[] Tags { get; } = [.. response.Tags.Distinct(StringComparer.Ordinal)];
    }
}

/// <summary>What a store's indexes refer to, for tests that look for leaks.</summary>
internal sealed record StoreIndexes(
    IReadOnlyList<EntryKey> Accounted,
    IReadOnlyList<EntryKey> ByKey,
    IReadOnlyList<EntryKey> ByTarget,
    IReadOnlyList<EntryKey> ByTag,
    int Targets,
    int Tags);
