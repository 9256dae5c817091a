namespace Gatehouse.Caching.Storage;

/// <summary>
/// Where the HTTP cache keeps responses. Async throughout so that a disk or Redis tier fits behind it. Implementations
/// are thread-safe; a removal takes effect at once for every later <see cref="GetAsync"/>.
/// </summary>
public interface IHttpCacheStore
{
    /// <summary>The largest entry (<see cref="CachedResponse.Size"/>) the store accepts; the cache stops buffering past it.</summary>
    long MaxEntryBytes { get; }

    /// <summary>Every stored variant of a primary key; empty when there is none.</summary>
    ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a variant, replacing the variant with the same <see cref="CachedResponse.VaryKey"/> under the same key and
    /// no other. Returns false when refused (larger than <see cref="MaxEntryBytes"/>).
    /// </summary>
    ValueTask<bool> SetAsync(CachedResponse response, CancellationToken cancellationToken = default);

    /// <summary>Removes one variant; false when it was not there.</summary>
    ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default);

    /// <summary>Removes every variant of every key whose target is <paramref name="target"/> (invalidation, purge by URL). Returns how many.</summary>
    ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default);

    /// <summary>Removes every entry whose target starts with <paramref name="prefix"/> (ordinal). Returns how many.</summary>
    ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Removes every entry carrying <paramref name="tag"/> (ordinal). Returns how many.</summary>
    ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default);

    /// <summary>Entry count and bytes in use, for metrics and tests.</summary>
    HttpCacheStoreStatistics Statistics { get; }
}

public readonly record struct HttpCacheStoreStatistics(long Entries, long Bytes, long MaxBytes, long Evictions);
