using System.Collections.Concurrent;
using Gatehouse.Caching.Storage;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gatehouse.Cluster.Caching;

/// <summary>
/// The cache store of a node in cluster mode: the node's own store (memory, with the disk tier when configured) as L1,
/// Redis as L2 shared by every node, and a pub/sub channel that carries each removal to the other nodes' L1
/// (docs/cluster.md, "Shared cache").
/// </summary>
/// <remarks>
/// <para>
/// Reads try L1, then L2, and copy what L2 has into L1. Writes go to L1, then to L2 before they return (one round trip
/// on a miss, so the response is a hit on every node once its client has it), unless the entry is larger than
/// <see cref="SharedCacheOptions.MaxEntryBytes"/> or could not be served from Redis at all (<see cref="SharedEntryLifetime"/>).
/// Removals go to L1, to L2, and to the channel; the other nodes apply them to their L1.
/// </para>
/// <para>
/// Redis never fails a request: while it is away (or when a command fails) the store answers from L1 alone, logged once
/// by <see cref="ClusterConnection"/>. Removals made meanwhile are kept (up to <see cref="SharedCacheOptions.MaxPendingRemovals"/>)
/// and sent to Redis and the other nodes when it is back, so a purge during an outage still reaches every node.
/// </para>
/// </remarks>
public sealed class ClusterHttpCacheStore : IHttpCacheStore, IAsyncDisposable
{
    private readonly IHttpCacheStore local;
    private readonly ClusterConnection connection;
    private readonly SharedCacheOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private const int RemovalsKept = 10_000;

    /// <summary>How far before its disconnection a returning node reads the removals stream: covers the moments before it noticed.</summary>
    private static readonly TimeSpan CatchUpMargin = TimeSpan.FromSeconds(5);

    private readonly RedisCacheLayout layout;
    private readonly RedisCacheTier redis;
    private readonly RedisChannel removalsChannel;
    private readonly string sender = Guid.NewGuid().ToString("N");
    private readonly ConcurrentQueue<CacheRemoval> pending = new();
    private readonly SemaphoreSlim pendingGate = new(1, 1);
    private long removals;
    private long l1Hits;
    private long l2Hits;
    private long misses;
    private long shared;
    private long tooLarge;
    private long ignored;
    private long redisFailures;
    private long removalsReceived;
    private long pendingDropped;
    private int ignoredLogged;
    private DateTimeOffset? disconnectedAt;

    public ClusterHttpCacheStore(IHttpCacheStore local, ClusterConnection connection, SharedCacheOptions options, ILogger<ClusterHttpCacheStore> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        this.local = local;
        this.connection = connection;
        this.options = options;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        layout = new RedisCacheLayout(connection.Keys);
        redis = new RedisCacheTier(layout);
        removalsChannel = connection.Keys.Channel(RedisCacheLayout.RemovalsChannel);
        connection.Subscribe(RedisCacheLayout.RemovalsChannel, OnRemovalMessage);
        connection.StateChanged += OnConnectionStateChanged;
    }

    /// <summary>The node's own store (L1).</summary>
    public IHttpCacheStore Local => local;

    /// <summary>The larger of the tiers' limits: an entry too large for the node's own store can still be shared.</summary>
    public long MaxEntryBytes => Math.Max(local.MaxEntryBytes, options.MaxEntryBytes);

    /// <summary>L1's: Redis's size is Redis's (its <c>maxmemory</c>).</summary>
    public HttpCacheStoreStatistics Statistics => local.Statistics;

    public SharedCacheStatistics SharedStatistics => new(
        Interlocked.Read(ref l1Hits),
        Interlocked.Read(ref l2Hits),
        Interlocked.Read(ref misses),
        Interlocked.Read(ref shared),
        Interlocked.Read(ref tooLarge),
        Interlocked.Read(ref ignored),
        Interlocked.Read(ref redisFailures),
        Interlocked.Read(ref removalsReceived),
        pending.Count);

    /// <summary>Raised after an entry was written to Redis (so another node's lookup finds it).</summary>
    public event Action<CachedResponse>? Shared;

    /// <summary>Raised after a removal another node made was applied to L1.</summary>
    public event Action<CacheRemoval>? RemovalReceived;

    public async ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var fromLocal = await local.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (fromLocal.Count > 0)
        {
            Interlocked.Increment(ref l1Hits);
            return fromLocal;
        }

        if (connection.Database is not { } database)
        {
            Interlocked.Increment(ref misses);
            return fromLocal;
        }

        var removalsBefore = Interlocked.Read(ref removals);
        RedisCacheTier.ReadResult found;
        try
        {
            found = await redis.GetAsync(database, key, time.GetUtcNow()).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Failed(ex);
            Interlocked.Increment(ref misses);
            return fromLocal;
        }

        if (found.Ignored > 0)
        {
            Interlocked.Add(ref ignored, found.Ignored);
            if (Interlocked.Exchange(ref ignoredLogged, 1) == 0)
            {
                ClusterLog.EntryIgnored(logger, found.Ignored, key);
            }
        }

        // A removal that arrived during the read may match what was read: then it is a miss, and nothing is copied.
        if (found.Variants.Count == 0 || Interlocked.Read(ref removals) != removalsBefore)
        {
            Interlocked.Increment(ref misses);
            return [];
        }

        foreach (var variant in found.Variants)
        {
            await local.SetAsync(variant, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref l2Hits);
        return found.Variants;
    }

    public async ValueTask<bool> SetAsync(CachedResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var stored = await local.SetAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.IsPartial)
        {
            // Parts of a representation (RFC 9111 §3.3) stay on this node: the shared entry format has no field for them.
            return stored;
        }
        if (response.Size > options.MaxEntryBytes)
        {
            Interlocked.Increment(ref tooLarge);
            return stored;
        }

        var timeToKeep = SharedEntryLifetime.TimeToKeep(response.Freshness, time.GetUtcNow());
        if (timeToKeep <= TimeSpan.Zero || connection.Database is not { } database)
        {
            return stored;
        }

        try
        {
            await redis.StoreAsync(database, response, timeToKeep).ConfigureAwait(false);
            Interlocked.Increment(ref shared);
            Shared?.Invoke(response);
            return true;
        }
        catch (Exception ex)
        {
            Failed(ex);
            return stored;
        }
    }

    public async ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default) =>
        await RemoveEverywhereAsync(new CacheRemoval(CacheRemovalKind.Variant, key, varyKey), cancellationToken).ConfigureAwait(false) > 0;

    public ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default) =>
        RemoveEverywhereAsync(new CacheRemoval(CacheRemovalKind.Target, target), cancellationToken);

    public ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        RemoveEverywhereAsync(new CacheRemoval(CacheRemovalKind.TargetPrefix, prefix), cancellationToken);

    public ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default) =>
        RemoveEverywhereAsync(new CacheRemoval(CacheRemovalKind.Tag, tag), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        connection.StateChanged -= OnConnectionStateChanged;
        switch (local)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        pendingGate.Dispose();
    }

    private async ValueTask<int> RemoveEverywhereAsync(CacheRemoval removal, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref removals);
        var fromLocal = await RemoveLocallyAsync(removal, cancellationToken).ConfigureAwait(false);
        var fromShared = 0;
        if (connection.Database is { } database && pending.IsEmpty)
        {
            try
            {
                fromShared = await RemoveSharedAsync(database, removal).ConfigureAwait(false);
                await PublishAsync(database, removal).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Failed(ex);
                KeepForLater(removal);
            }
        }
        else
        {
            // Redis is away, or earlier removals still wait for it: kept in order, sent with them.
            KeepForLater(removal);
            if (connection.IsConnected)
            {
                _ = SendPendingAsync();
            }
        }

        return Math.Max(fromLocal, fromShared);
    }

    private async ValueTask<int> RemoveLocallyAsync(CacheRemoval removal, CancellationToken cancellationToken = default) => removal.Kind switch
    {
        CacheRemovalKind.Target => await local.RemoveTargetAsync(removal.Value, cancellationToken).ConfigureAwait(false),
        CacheRemovalKind.TargetPrefix => await local.RemoveTargetPrefixAsync(removal.Value, cancellationToken).ConfigureAwait(false),
        CacheRemovalKind.Tag => await local.RemoveTagAsync(removal.Value, cancellationToken).ConfigureAwait(false),
        _ => await local.RemoveAsync(removal.Value, removal.VaryKey, cancellationToken).ConfigureAwait(false) ? 1 : 0,
    };

    private Task<int> RemoveSharedAsync(IDatabase database, CacheRemoval removal) => removal.Kind switch
    {
        CacheRemovalKind.Target => redis.RemoveTargetAsync(database, removal.Value),
        CacheRemovalKind.TargetPrefix => redis.RemoveTargetPrefixAsync(database, removal.Value),
        CacheRemovalKind.Tag => redis.RemoveTagAsync(database, removal.Value),
        _ => redis.RemoveVariantAsync(database, removal.Value, removal.VaryKey),
    };

    private Task PublishAsync(IDatabase database, CacheRemoval removal) =>
        database.ScriptEvaluateAsync(RedisCacheScripts.Announce, [layout.RemovalsStream], [removal.Encode(sender), RemovalsKept, removalsChannel.ToString()]);

    private void KeepForLater(CacheRemoval removal)
    {
        if (pending.Count >= options.MaxPendingRemovals)
        {
            Interlocked.Increment(ref pendingDropped);
            return;
        }

        pending.Enqueue(removal);
    }

    private void OnRemovalMessage(RedisValue message)
    {
        if (CacheRemoval.TryParse(message) is not var (from, removal) || from == sender)
        {
            return;
        }

        Interlocked.Increment(ref removals);
        Interlocked.Increment(ref removalsReceived);
        _ = ApplyReceivedAsync(removal);
    }

    private async Task ApplyReceivedAsync(CacheRemoval removal)
    {
        try
        {
            await RemoveLocallyAsync(removal).ConfigureAwait(false);
            RemovalReceived?.Invoke(removal);
        }
        catch (Exception ex)
        {
            Failed(ex);
        }
    }

    private void OnConnectionStateChanged(ClusterConnectionStatus status)
    {
        if (status.State == ClusterConnectionState.Disconnected)
        {
            lock (pending)
            {
                disconnectedAt ??= status.Since;
            }
        }
        else if (status.State == ClusterConnectionState.Connected)
        {
            _ = CatchUpAndSendPendingAsync();
        }
    }

    /// <summary>
    /// Back after losing Redis: first the removals the other nodes made meanwhile (read from the stream, since pub/sub
    /// does not keep what a node missed), then this node's own kept removals. Applying a removal twice costs at most a miss.
    /// </summary>
    private async Task CatchUpAndSendPendingAsync()
    {
        DateTimeOffset? since;
        lock (pending)
        {
            since = disconnectedAt;
            disconnectedAt = null;
        }

        if (since is { } from && connection.Database is { } database)
        {
            try
            {
                var minimumId = $"{(from - CatchUpMargin).ToUnixTimeMilliseconds()}-0";
                foreach (var entry in await database.StreamRangeAsync(layout.RemovalsStream, minimumId, "+", RemovalsKept).ConfigureAwait(false))
                {
                    OnRemovalMessage(entry["m"]);
                }
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }

        if (!pending.IsEmpty || Interlocked.Read(ref pendingDropped) > 0)
        {
            await SendPendingAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends the removals kept while Redis was away, oldest first; stops (keeping the rest) at the first failure.</summary>
    private async Task SendPendingAsync()
    {
        await pendingGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var dropped = Interlocked.Exchange(ref pendingDropped, 0);
            if (dropped > 0)
            {
                ClusterLog.PendingRemovalsDropped(logger, dropped);
            }

            var sent = 0;
            while (pending.TryPeek(out var removal) && connection.Database is { } database)
            {
                await RemoveSharedAsync(database, removal).ConfigureAwait(false);
                await PublishAsync(database, removal).ConfigureAwait(false);
                pending.TryDequeue(out _);
                sent++;
            }

            if (sent > 0)
            {
                ClusterLog.PendingRemovalsSent(logger, sent);
            }
        }
        catch (Exception ex)
        {
            Failed(ex);
        }
        finally
        {
            pendingGate.Release();
        }
    }

    private void Failed(Exception exception)
    {
        Interlocked.Increment(ref redisFailures);
        connection.ReportFailure(exception);
    }
}
