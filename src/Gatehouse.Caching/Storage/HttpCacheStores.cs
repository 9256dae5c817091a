using Gatehouse.Caching.Middleware;

namespace Gatehouse.Caching.Storage;

/// <summary>Builds the store that <see cref="HttpCacheOptions"/> describe.</summary>
public static class HttpCacheStores
{
    /// <summary>
    /// A <see cref="MemoryHttpCacheStore"/> of <see cref="HttpCacheOptions.MaxBytes"/>, or, when
    /// <see cref="HttpCacheOptions.DiskPath"/> is set, a <see cref="TieredHttpCacheStore"/> of it in front of a
    /// <see cref="DiskHttpCacheStore"/> of <see cref="HttpCacheOptions.DiskMaxBytes"/> (which reads its directory now).
    /// Both tiers take <see cref="HttpCacheOptions.MaxEntryBytes"/>. Dispose the result when it is disposable.
    /// </summary>
    public static IHttpCacheStore Create(HttpCacheOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var memory = new MemoryHttpCacheStore(options.MaxBytes, options.MaxEntryBytes);
        if (options.DiskPath is null)
        {
            return memory;
        }

        var disk = new DiskHttpCacheStore(options.DiskPath, options.DiskMaxBytes, options.MaxEntryBytes, timeProvider);
        return new TieredHttpCacheStore(memory, disk);
    }
}
