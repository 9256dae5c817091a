using System.Threading.Channels;

namespace Gatehouse.Caching.Storage;

/// <summary>
/// A memory store in front of a slower one (the disk tier; later perhaps Redis). Reads try memory, then the second tier,
/// and copy what they find there into memory. Writes go to memory at once and to the second tier in the background,
/// in order; <see cref="DisposeAsync"/> waits until every accepted write has reached it. Removals reach both tiers,
/// and the queued writes, before they return.
/// </summary>
/// <remarks>
/// <para>
/// A key found in memory is answered from memory alone: variants that only the second tier still has are not looked up
/// (the request then misses on Vary and the fresh response is stored again). A variant whose background write is still
/// queued is not found once memory has evicted it.
/// </para>
/// <para>
/// Background writes queue up to <c>maxQueuedBytes</c>; past that, a write waits for the second tier itself, which
/// slows writers down instead of dropping their copies. A removal waits for the one write in progress, if any.
/// </para>
/// </remarks>
public sealed class TieredHttpCacheStore : IHttpCacheStore, IAsyncDisposable, IDisposable
{
    private readonly Channel<object> writes = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock queueGate = new();
    private readonly Dictionary<EntryKey, CachedResponse> queued = [];
    private readonly SemaphoreSlim secondTierGate = new(1, 1);
    private readonly Lock promotionGate = new();
    private readonly long maxQueuedBytes;
    private readonly Task writer;
    private long queuedBytes;
    private long removals;
    private bool disposed;
    private Task? disposal;

    /// <param name="memory">The first tier.</param>
    /// <param name="secondTier">The second tier, usually a <see cref="DiskHttpCacheStore"/>. Disposed with this store if disposable.</param>
    /// <param name="maxQueuedBytes">How many bytes of writes may wait for the second tier.</param>
    public TieredHttpCacheStore(MemoryHttpCacheStore memory, IHttpCacheStore secondTier, long maxQueuedBytes = 64L * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(secondTier);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxQueuedBytes);
        Memory = memory;
        SecondTier = secondTier;
        this.maxQueuedBytes = maxQueuedBytes;
        writer = Task.Run(WriteQueuedAsync);
    }

    public MemoryHttpCacheStore Memory { get; }

    public IHttpCacheStore SecondTier { get; }

    /// <summary>The larger of the tiers' limits: an entry too large for memory can still go to the second tier.</summary>
    public long MaxEntryBytes => Math.Max(Memory.MaxEntryBytes, SecondTier.MaxEntryBytes);

    /// <summary>The memory tier's; see <see cref="Memory"/> and <see cref="SecondTier"/> for each.</summary>
    public HttpCacheStoreStatistics Statistics => Memory.Statistics;

    public async ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var fromMemory = Memory.Get(key);
        if (fromMemory.Count > 0)
        {
            return fromMemory;
        }

        var removalsBefore = Volatile.Read(ref removals);
        var fromSecondTier = await SecondTier.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (fromSecondTier.Count > 0)
        {
            // A removal that started since the read must not be undone by the copy: removals count up under the same
            // lock before they touch either tier. A newer write of the same variant is not overwritten either.
            lock (promotionGate)
            {
                if (removals == removalsBefore)
                {
                    foreach (var response in fromSecondTier)
                    {
                        Memory.Set(response, onlyIfAbsent: true);
                    }
                }
            }
        }

        return fromSecondTier;
    }

    public async ValueTask<bool> SetAsync(CachedResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var inMemory = Memory.Set(response, onlyIfAbsent: false);
        if (response.IsPartial)
        {
            // Parts stay in memory (see DiskHttpCacheStore.SetAsync); the second tier's older copy of the variant goes,
            // so that it does not come back once memory evicts the parts.
            await RemoveAsync(
                queuedResponse => queuedResponse.Key == response.Key && queuedResponse.VaryKey == response.VaryKey,
                async (store, token) => await store.RemoveAsync(response.Key, response.VaryKey, token).ConfigureAwait(false) ? 1 : 0,
                () => 0,
                cancellationToken).ConfigureAwait(false);
            return inMemory;
        }
        if (response.Size > SecondTier.MaxEntryBytes)
        {
            return inMemory;
        }

        var key = EntryKey.Of(response);
        var size = response.Size;
        lock (queueGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (queued.TryGetValue(key, out var older))
            {
                // Already in the channel: the writer picks up whichever version is queued when it gets there.
                queued[key] = response;
                queuedBytes += size - older.Size;
                return true;
            }

            if (queuedBytes + size <= maxQueuedBytes || queued.Count == 0)
            {
                queued[key] = response;
                queuedBytes += size;
                writes.Writer.TryWrite(key);
                return true;
            }
        }

        await secondTierGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SecondTier.SetAsync(response, cancellationToken).ConfigureAwait(false) || inMemory;
        }
        finally
        {
            secondTierGate.Release();
        }
    }

    public async ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default) =>
        await RemoveAsync(
            response => response.Key == key && response.VaryKey == varyKey,
            async (store, token) => await store.RemoveAsync(key, varyKey, token).ConfigureAwait(false) ? 1 : 0,
            () => Memory.Remove(key, varyKey) ? 1 : 0,
            cancellationToken).ConfigureAwait(false) > 0;

    public ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default) =>
        RemoveAsync(
            response => response.Target == target,
            (store, token) => store.RemoveTargetAsync(target, token),
            () => Memory.RemoveTarget(target),
            cancellationToken);

    public ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        RemoveAsync(
            response => response.Target.StartsWith(prefix, StringComparison.Ordinal),
            (store, token) => store.RemoveTargetPrefixAsync(prefix, token),
            () => Memory.RemoveTargetPrefix(prefix),
            cancellationToken);

    public ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default) =>
        RemoveAsync(
            response => response.Tags.Contains(tag, StringComparer.Ordinal),
            (store, token) => store.RemoveTagAsync(tag, token),
            () => Memory.RemoveTag(tag),
            cancellationToken);

    /// <summary>Completes when every write accepted so far has reached the second tier.</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return writes.Writer.TryWrite(flushed) ? flushed.Task : writer;
    }

    /// <summary>Waits for the queued writes to reach the second tier, then disposes it if it is disposable.</summary>
    public ValueTask DisposeAsync()
    {
        lock (queueGate)
        {
            disposed = true;
            disposal ??= DisposeOnceAsync();
            return new(disposal);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task DisposeOnceAsync()
    {
        writes.Writer.TryComplete();
        await writer.ConfigureAwait(false);
        switch (SecondTier)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        secondTierGate.Dispose();
    }

    /// <summary>
    /// Removes from the second tier and the queue (under the gate, so no write in progress can land after it), then from
    /// memory. Returns the larger of the tiers' counts: an entry is usually in both, so their sum would overstate it.
    /// </summary>
    private async ValueTask<int> RemoveAsync(
        Func<CachedResponse, bool> matchesQueued,
        Func<IHttpCacheStore, CancellationToken, ValueTask<int>> removeFromSecondTier,
        Func<int> removeFromMemory,
        CancellationToken cancellationToken)
    {
        lock (promotionGate)
        {
            removals++;
        }

        int fromSecondTier;
        await secondTierGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fromQueue = RemoveQueued(matchesQueued);
            fromSecondTier = Math.Max(fromQueue, await removeFromSecondTier(SecondTier, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            secondTierGate.Release();
        }

        return Math.Max(fromSecondTier, removeFromMemory());
    }

    private int RemoveQueued(Func<CachedResponse, bool> matches)
    {
        lock (queueGate)
        {
            var removed = 0;
            foreach (var (key, response) in queued.Where(q => matches(q.Value)).ToList())
            {
                queued.Remove(key);
                queuedBytes -= response.Size;
                removed++;
            }

            return removed;
        }
    }

    private async Task WriteQueuedAsync()
    {
        await foreach (var item in writes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (item is TaskCompletionSource flushed)
            {
                flushed.TrySetResult();
                continue;
            }

            await secondTierGate.WaitAsync().ConfigureAwait(false);
            try
            {
                CachedResponse? response;
                lock (queueGate)
                {
                    if (queued.Remove((EntryKey)item, out response))
                    {
                        queuedBytes -= response.Size;
                    }
                }

                if (response is not null)
                {
                    await SecondTier.SetAsync(response).ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // A failed copy leaves the memory one; the writer must go on for the next entries.
            }
            finally
            {
                secondTierGate.Release();
            }
        }
    }
}
