using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Caching.Middleware;

/// <summary>Adds the HTTP cache to a pipeline.</summary>
public static class HttpCacheApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the shared HTTP cache. Place it after routing (the settings provider sees the endpoint) and before the
    /// endpoint that reaches the origin: what comes after it runs for misses, validations and background refreshes,
    /// what comes before it runs for every request, hits included. Requires
    /// <see cref="HttpCacheServiceCollectionExtensions.AddHttpCache"/> and a registered
    /// <see cref="IHttpCacheSettingsProvider"/>.
    /// </summary>
    public static IApplicationBuilder UseHttpCache(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<HttpCacheMarker>() is null)
        {
            throw new InvalidOperationException("UseHttpCache needs the cache's services: call services.AddHttpCache() first.");
        }
        if (app.ApplicationServices.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(typeof(IHttpCacheSettingsProvider)))
        {
            throw new InvalidOperationException("UseHttpCache needs an IHttpCacheSettingsProvider: register one that says which requests are cached.");
        }
        return app.UseMiddleware<HttpCacheMiddleware>();
    }
}
