using Gatehouse.Caching.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Caching.Middleware;

/// <summary>Registers the HTTP cache's services.</summary>
public static class HttpCacheServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <see cref="HttpCacheApplicationBuilderExtensions.UseHttpCache"/> needs: the options, the store (unless
    /// one is registered: registrations are TryAdd, so a host replaces the store by registering its own
    /// <see cref="IHttpCacheStore"/>, before or after this call), <see cref="TimeProvider.System"/> unless a
    /// <see cref="TimeProvider"/> is registered, <see cref="HttpCachePurge"/> (purge through it, not the store, so that a
    /// purge wins over fetches in flight), and the middleware's internals. It does not register an
    /// <see cref="IHttpCacheSettingsProvider"/>: the host says which routes are cached.
    /// </summary>
    public static IServiceCollection AddHttpCache(this IServiceCollection services, Action<HttpCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<HttpCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHttpCacheStore>(HttpCacheStoreFactory.Create);
        services.TryAddSingleton<HttpCachePurge>();
        services.TryAddSingleton<StoreAccess>();
        services.TryAddSingleton<RequestCollapsing>();
        services.TryAddSingleton<OriginForwarding>();
        services.TryAddSingleton<BackgroundRevalidation>();
        services.TryAddSingleton<HttpCacheMarker>();
        return services;
    }
}

/// <summary>Shows that <see cref="HttpCacheServiceCollectionExtensions.AddHttpCache"/> was called.</summary>
internal sealed class HttpCacheMarker;
