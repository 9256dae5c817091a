using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// RFC 9111 §4.4: a non-error response to an unsafe request invalidates the stored responses of its target URI, and
/// of the Location and Content-Location URIs of the same origin — every variant and every added key field, since
/// invalidation goes by <see cref="CacheKey.Target"/>.
/// </summary>
internal static class UnsafeMethodInvalidation
{
    public static async Task InvalidateAsync(HttpContext context, HttpCacheRouteSettings settings, StoreAccess store)
    {
        var request = context.Request;
        var response = context.Response;
        var target = CacheKeyTarget.Build(request.Scheme, request.Host, request.PathBase.Add(request.Path), request.QueryString.Value, settings.Key);
        if (!Uri.TryCreate(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, request.QueryString), UriKind.Absolute, out var targetUri))
        {
            // A request target that makes no URI (an odd Host) still invalidates itself. (Callers pass unsafe methods only.)
            if (response.StatusCode is >= 200 and < 400)
            {
                await store.RemoveTargetAsync(target);
            }
            return;
        }
        foreach (var uri in Invalidation.Targets(request.Method, response.StatusCode, targetUri, response.Headers))
        {
            await store.RemoveTargetAsync(uri == targetUri ? target : CacheKey.TargetOf(uri, settings.Key));
        }
    }
}
