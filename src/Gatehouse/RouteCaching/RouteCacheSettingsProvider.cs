using Gatehouse.Caching.Middleware;
using Gatehouse.Runtime;

namespace Gatehouse.RouteCaching;

/// <summary>
/// Tells the HTTP cache which routes are cached: the matched route's <c>cache</c> section, if enabled, from the route's
/// own generation (<see cref="RouteRuntime"/> on its endpoint).
/// </summary>
internal sealed class RouteCacheSettingsProvider : IHttpCacheSettingsProvider
{
    public HttpCacheRouteSettings? GetSettings(HttpContext context) => RouteRuntime.Of(context)?.Get<HttpCacheRouteSettings>();
}
