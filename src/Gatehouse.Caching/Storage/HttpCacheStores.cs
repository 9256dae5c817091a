using Gatehouse.Caching.Middleware;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Caching.Storage;

/// <summary>Builds the store that <see cref="HttpCacheOptions"/> describe.</summary>
public static class HttpCacheStores
{
    /// <summary>
    /// A <see cref="MemoryHttpCacheStore"/> of <see cref="HttpCacheOptions.MaxBytes"/>, or, when
    /// <see cref="HttpCacheOptions.DiskPath"/> is set, a <see cref="TieredHttpCacheStore"/> of it in front of a
    /// <see cref="DiskHttpCacheStore"/> of <see cref="HttpCacheOptions.DiskMaxBytes"/> (which reads its directory now).
    /// Both tiers take <see cref="HttpCacheOptions.MaxEntryBytes"/>. Dispose the result when it is disposable.
    /// The disk store reports failing writes to <paramref name="loggers"/>.
    /// </summary>
    public static IHttpCacheStore Create(HttpCacheOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var memory = new MemoryHttpCacheStore(options.MaxBytes, options.MaxEntryBytes);
        if (options.DiskPath is null)
        {
            return memory;
        }

        var disk = new DiskHttpCacheStore(options.DiskPath, options.DiskMaxBytes, options.MaxEntryBytes, timeProvider, loggers?.CreateLogger<DiskHttpCacheStore>());
        return new TieredHttpCacheStore(memory, disk);
    }
}
