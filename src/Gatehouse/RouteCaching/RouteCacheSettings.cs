using Gatehouse.Caching;
using Gatehouse.Caching.Middleware;
using Gatehouse.Configuration;

namespace Gatehouse.RouteCaching;

/// <summary>A route's <c>cache</c> section as the HTTP cache takes it; null when the route is not cached.</summary>
public static class RouteCacheSettings
{
    public static HttpCacheRouteSettings? From(RouteCacheDefinition route, CacheDefinition cache) => !route.Enabled ? null : new HttpCacheRouteSettings
    {
        Policy = new CachePolicy
        {
            TargetedFieldNames = [cache.TargetedField, CachePolicy.CdnCacheControl],
            HeuristicFraction = route.HeuristicFraction,
            HeuristicMaxLifetime = route.HeuristicMaxLifetime.Value ?? TimeSpan.FromDays(1),
            MaxStaleOnError = route.MaxStaleOnError.Value ?? TimeSpan.Zero,
        },
        Key = new CacheKeyOptions
        {
            IgnoredQueryParameters = route.IgnoreQueryParameters,
            SortQueryParameters = route.SortQueryParameters,
            Headers = route.KeyHeaders,
            Cookies = route.KeyCookies,
        },
        OwnTargetedField = cache.TargetedField,
        TagHeader = string.IsNullOrEmpty(route.TagHeader) ? null : route.TagHeader,
        ExposeKey = route.ExposeKey,
    };
}
