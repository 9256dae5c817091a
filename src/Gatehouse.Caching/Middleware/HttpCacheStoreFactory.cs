using Gatehouse.Caching.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gatehouse.Caching.Middleware;

/// <summary>The store <see cref="HttpCacheServiceCollectionExtensions.AddHttpCache"/> registers when the host registers none.</summary>
internal static class HttpCacheStoreFactory
{
    /// <summary>
    /// <see cref="HttpCacheStores.Create"/> from the options: memory, with a disk tier when
    /// <see cref="HttpCacheOptions.DiskPath"/> is set. The container disposes it with the application.
    /// </summary>
    public static IHttpCacheStore Create(IServiceProvider services) =>
        HttpCacheStores.Create(services.GetRequiredService<IOptions<HttpCacheOptions>>().Value, services.GetRequiredService<TimeProvider>(),
            services.GetService<Microsoft.Extensions.Logging.ILoggerFactory>());
}
