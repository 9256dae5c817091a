using Gatehouse.Caching.Middleware;
using Gatehouse.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Routing;

/// <summary>Tells the HTTP cache which routes are cached: the matched YARP route's <c>cache</c> section, if enabled.</summary>
/// <remarks>Read from the route's own generation (<see cref="RouteRuntime"/> on its endpoint).</remarks>
internal sealed class RouteCacheSettingsProvider : IHttpCacheSettingsProvider
{
    public HttpCacheRouteSettings? GetSettings(HttpContext context) => RouteRuntime.Of(context)?.Settings.Cache;
}
