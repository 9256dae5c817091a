using Gatehouse.Caching;
using Gatehouse.Caching.Middleware;
using Gatehouse.Runtime;

namespace Gatehouse.Admin;

/// <summary><c>POST /cache/purge?url=…</c>, <c>?prefix=…</c> or <c>?tag=…</c>: removes cached responses at once.</summary>
internal static class AdminCachePurge
{
    public static async Task PurgeAsync(HttpContext context, GenerationHolder settings, IServiceProvider services)
    {
        // Through HttpCachePurge, not the store: a purge then wins over the fetches in flight for what it removes.
        if (services.GetService<HttpCachePurge>() is not { } purge)
        {
            await AdminJson.WriteAsync(context, StatusCodes.Status404NotFound, new AdminError("the cache is not enabled"));
            return;
        }

        var query = context.Request.Query;
        var (url, prefix, tag) = (query["url"].ToString(), query["prefix"].ToString(), query["tag"].ToString());
        if (new[] { url, prefix, tag }.Count(v => v.Length > 0) != 1)
        {
            await AdminJson.WriteAsync(context, StatusCodes.Status400BadRequest, new AdminError("give exactly one of url, prefix or tag"));
            return;
        }

        int purged;
        if (tag.Length > 0)
        {
            purged = await purge.PurgeTagAsync(tag, context.RequestAborted);
        }
        else if (!Uri.TryCreate(url.Length > 0 ? url : prefix, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await AdminJson.WriteAsync(context, StatusCodes.Status400BadRequest, new AdminError("url and prefix must be absolute http(s) URLs, such as http://example.com/images/"));
            return;
        }
        else if (url.Length > 0)
        {
            // Each cached route may shape its keys differently (ignored or sorted query parameters): try every shape.
            var targets = settings.Current.Routes.Values.Select(r => r.Get<HttpCacheRouteSettings>()?.Key).OfType<CacheKeyOptions>().Append(CacheKeyOptions.Default)
                .Select(options => CacheKey.TargetOf(uri, options)).Distinct(StringComparer.Ordinal);
            purged = 0;
            foreach (var target in targets)
            {
                purged += await purge.PurgeTargetAsync(target, context.RequestAborted);
            }
        }
        else
        {
            var target = CacheKey.TargetOf(uri, CacheKeyOptions.Default);
            // A prefix ending in "/" must not lose it, but TargetOf keeps the path as given; an empty path is the root.
            purged = await purge.PurgeTargetPrefixAsync(target, context.RequestAborted);
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new AdminPurgeBody(purged));
    }
}
