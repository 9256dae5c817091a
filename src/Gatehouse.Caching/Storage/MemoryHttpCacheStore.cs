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
/// Reads take no lock: a primary key's variant list (<see cref="StoreIndex{TEntry}"/>) and the policy's own concurrent
/// dictionary answer them. Writes and removals take one lock, so the byte count and the indexes by key, target and tag
/// change together with the policy; a removal is visible to every read that starts after it returns.
/// </para>
/// </remarks>
public sealed class MemoryHttpCacheStore : IHttpCacheStore
{
    private const long BytesPerPolicySlot = 1024;
    private const int MinimumPolicyCapacity = 16;
    private const int MaximumPolicyCapacity = 1 << 22;

    private readonly ConcurrentLfu<EntryKey, StoredEntry> policy;
    private readonly Lock gate = new();
    private readonly StoreIndex<StoredEntry> index = new(); // what is accounted

    // Evictions the policy reported on a thread that did not hold the gate (its background maintenance).
    private readonly ConcurrentQueue<KeyValuePair<EntryKey, StoredEntry>> evictedElsewhere = new();
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

            return new(index.Count, index.Bytes, MaxBytes, Volatile.Read(ref evictions));
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
        var variants = index.Variants(key);
        if (variants.Length == 1)
        {
            // The usual key, one variant: answered with a list made once per stored entry, so a hit allocates none.
            return policy.TryGet(EntryKey.Of(variants[0].Response), out var only) ? only.Alone : [];
        }
        List<CachedResponse>? found = null;
        foreach (var variant in variants)
        {
            // Through the policy, which counts the hit (and may have evicted the entry meanwhile).
            if (policy.TryGet(EntryKey.Of(variant.Response), out var stored))
            {
                (found ??= new(variants.Length)).Add(stored.Response);
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
            if (index.Find(key.Key, key.VaryKey) is { } old)
            {
                if (onlyIfAbsent)
                {
                    return false;
                }

                // Unaccounted now, but left in the policy: AddOrUpdate below swaps the value in place, so readers never
                // see a gap. If a trim picks it first, its event finds it unaccounted and changes nothing.
                index.Remove(old);
            }

            while (index.Bytes + stored.Size > MaxBytes && index.Count > 0)
            {
                EvictOneLocked();
            }

            index.Add(stored);
            policy.AddOrUpdate(key, stored);

            // Background maintenance can evict the entry while AddOrUpdate swaps the value in, and then report the old
            // value (which is no longer accounted). The eviction removes the key from the policy before it reads the value
            // it reports, so once the new value is seen here, any later eviction reports it.
            if ((!policy.TryGet(key, out var current) || !ReferenceEquals(current, stored)) && index.Remove(stored))
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
            return index.Find(key, varyKey) is { } stored && RemoveLocked(stored);
        }
    }

    internal int RemoveTarget(string target)
    {
        lock (gate)
        {
            DrainEvictedElsewhere();
            return RemoveAllLocked(index.WithTarget(target));
        }
    }

    internal int RemoveTargetPrefix(string prefix)
    {
        lock (gate)
        {
            DrainEvictedElsewhere();
            return RemoveAllLocked(index.WithTargetPrefix(prefix));
        }
    }

    internal int RemoveTag(string tag)
    {
        lock (gate)
        {
            DrainEvictedElsewhere();
            return RemoveAllLocked(index.WithTag(tag));
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
            return index.Describe();
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
            if (index.Remove(stored))
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
            if (index.Remove(evicted.Value))
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
        RemoveLocked(index.Entries.First());
        Volatile.Write(ref evictions, evictions + 1);
    }

    private int RemoveAllLocked(List<StoredEntry> entries) => entries.Count(RemoveLocked);

    private bool RemoveLocked(StoredEntry stored)
    {
        policy.TryRemove(new KeyValuePair<EntryKey, StoredEntry>(EntryKey.Of(stored.Response), stored));
        return index.Remove(stored);
    }

    /// <summary>
    /// One accounted entry. A new instance per store, so that a late eviction event for an earlier store of the same
    /// response cannot be mistaken for the current one. Size and tags are taken once, as they were indexed.
    /// </summary>
    private sealed class StoredEntry(CachedResponse response) : IIndexedEntry
    {
        public CachedResponse Response { get; } = response;

        public string Key => Response.Key;

        public string VaryKey => Response.VaryKey;

        public string Target => Response.Target;

        public long Size { get; } = response.Size;

        /// <summary>A list of this response alone, to answer a key with one variant. Read-only to the callers.</summary>
        public IReadOnlyList<CachedResponse> Alone { get; } = Array.AsReadOnly([response]);

        public string[] Tags { get; } = [.. response.Tags.Distinct(StringComparer.Ordinal)];
    }
}
