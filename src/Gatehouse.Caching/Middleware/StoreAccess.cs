using Gatehouse.Caching.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// The store as the middleware uses it: a failing store (a disk error, a lost Redis connection) degrades to misses
/// and unstored responses, logged, and never fails a request that the origin can answer. Invalidations go through
/// <see cref="HttpCachePurge"/>, and a response is not stored when a removal since its lookup matches it.
/// </summary>
internal sealed class StoreAccess(IHttpCacheStore store, HttpCachePurge purge, ILogger<HttpCacheMiddleware> logger)
{
    public long MaxEntryBytes => store.MaxEntryBytes;

    /// <summary><see cref="HttpCachePurge.Mark"/>: taken before a request's lookup, given to <see cref="SetAsync"/>.</summary>
    public long RemovalMark => purge.Mark;

    /// <summary><see cref="HttpCachePurge.RemovedSince"/>: whether <see cref="SetAsync"/> would refuse the entry for a removal already made.</summary>
    public bool RemovedSince(long removalMark, CachedResponse entry) => purge.RemovedSince(removalMark, entry);

    public async ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetAsync(key, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            HttpCacheLog.StoreReadFailed(logger, key, e);
            return [];
        }
    }

    /// <summary>
    /// Stores an entry looked up or fetched since <paramref name="removalMark"/>; false when the store refused it or
    /// failed, or when a removal since the mark matches it: a purge that raced the fetch wins, even one that ran while
    /// the entry was being written (it is taken out again).
    /// </summary>
    public async ValueTask<bool> SetAsync(CachedResponse entry, long removalMark)
    {
        try
        {
            if (purge.RemovedSince(removalMark, entry) || !await store.SetAsync(entry))
            {
                return false;
            }
            if (purge.RemovedSince(removalMark, entry))
            {
                await store.RemoveAsync(entry.Key, entry.VaryKey);
                return false;
            }
            return true;
        }
        catch (Exception e)
        {
            HttpCacheLog.StoreWriteFailed(logger, entry.Key, e);
            return false;
        }
    }

    public async ValueTask RemoveAsync(CachedResponse entry)
    {
        try
        {
            await store.RemoveAsync(entry.Key, entry.VaryKey);
        }
        catch (Exception e)
        {
            HttpCacheLog.StoreRemoveFailed(logger, entry.Key, e);
        }
    }

    public async ValueTask RemoveTargetAsync(string target)
    {
        try
        {
            await purge.PurgeTargetAsync(target);
        }
        catch (Exception e)
        {
            HttpCacheLog.StoreRemoveFailed(logger, target, e);
        }
    }
}
