using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Tells the cache whether a request belongs to a cached route and with which settings. Called after routing, so the
/// host can look at the endpoint. Null means the route is not cached: the request passes through untouched and no
/// Cache-Status is added. Register it as a singleton: it is asked on every request, and the middleware resolves it once.
/// </summary>
public interface IHttpCacheSettingsProvider
{
    HttpCacheRouteSettings? GetSettings(HttpContext context);
}
