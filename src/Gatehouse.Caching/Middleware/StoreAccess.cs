using Gatehouse.Caching.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// The store as the middleware uses it: a failing store (a disk error, a lost Redis connection) degrades to misses
/// and unstored responses, logged, and never fails a request that the origin can answer.
/// </summary>
internal sealed class StoreAccess(IHttpCacheStore store, ILogger<HttpCacheMiddleware> logger)
{
    public long MaxEntryBytes => store.MaxEntryBytes;

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

    /// <summary>Stores an entry; false when the store refused it or failed.</summary>
    public async ValueTask<bool> SetAsync(CachedResponse entry)
    {
        try
        {
            return await store.SetAsync(entry);
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
            await store.RemoveTargetAsync(target);
        }
        catch (Exception e)
        {
            HttpCacheLog.StoreRemoveFailed(logger, target, e);
        }
    }
}
