using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>What the cache works out once about a request of a cached route.</summary>
internal sealed class CacheRequest
{
    private CacheRequest(HttpContext context, HttpCacheRouteSettings settings, CacheKey key, RequestCacheControl directives, long removalMark)
    {
        Context = context;
        Settings = settings;
        Key = key;
        KeyText = key.ToString();
        Directives = directives;
        RemovalMark = removalMark;
    }

    public HttpContext Context { get; }

    public HttpCacheRouteSettings Settings { get; }

    public CacheKey Key { get; }

    /// <summary><see cref="CacheKey.ToString"/>: the store's primary key.</summary>
    public string KeyText { get; }

    public RequestCacheControl Directives { get; }

    /// <summary><see cref="StoreAccess.RemovalMark"/> before the lookup: what this request stores must not predate a later purge.</summary>
    public long RemovalMark { get; }

    public bool IsHead => HttpMethods.IsHead(Context.Request.Method);

    public bool HasAuthorization => Context.Request.Headers.ContainsKey(HeaderNames.Authorization);

    public static CacheRequest For(HttpContext context, HttpCacheRouteSettings settings, long removalMark)
    {
        var request = context.Request;
        var key = CacheKey.ForRequest(request.Scheme, request.Host, request.PathBase.Add(request.Path), request.QueryString, request.Headers, settings.Key);
        return new CacheRequest(context, settings, key, RequestCacheControl.FromRequest(request.Headers), removalMark);
    }

    /// <summary>
    /// The same key, route and removal mark (the refreshed entry was looked up then) for a background refresh's synthetic
    /// request, which carries no directives of its own.
    /// </summary>
    public CacheRequest ForRefresh(HttpContext synthetic) => new(synthetic, Settings, Key, RequestCacheControl.None, RemovalMark);

    /// <summary>The Cache-Status member for this request, with the key when the route exposes it.</summary>
    public CacheStatus Status(string cacheName) => new(cacheName) { Key = Settings.ExposeKey ? KeyText : null };
}
