using Gatehouse.Caching.Middleware;
using Gatehouse.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Routing;

/// <summary>Tells the HTTP cache which routes are cached: the matched YARP route's <c>cache</c> section, if enabled.</summary>
internal sealed class RouteCacheSettingsProvider(RuntimeSettingsHolder settings) : IHttpCacheSettingsProvider
{
    public HttpCacheRouteSettings? GetSettings(HttpContext context) =>
        context.RouteId() is { } routeId ? settings.Route(routeId)?.Cache : null;
}
