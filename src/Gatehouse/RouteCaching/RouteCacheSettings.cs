using Gatehouse.Caching;
using Gatehouse.Caching.Middleware;
using Gatehouse.Configuration;

namespace Gatehouse.RouteCaching;

/// <summary>A route's <c>cache</c> section as the HTTP cache takes it; null when the route is not cached.</summary>
public static class RouteCacheSettings
{
    /// <summary>
    /// The one parse of <c>routes.ID.cache</c> (<paramref name="path"/>): its errors, each at its setting's path, and the
    /// settings the generation installs (null when the route is not cached; checked either way). Unknown settings are the
    /// validator's.
    /// </summary>
    public static HttpCacheRouteSettings? Parse(RouteCacheDefinition route, CacheDefinition cache, string path, ICollection<ConfigError> errors)
    {
        SettingRules.PositiveDuration(errors, $"{path}.maxStaleOnError", route.MaxStaleOnError, allowZero: true);
        SettingRules.PositiveDuration(errors, $"{path}.heuristicMaxLifetime", route.HeuristicMaxLifetime, allowZero: true);
        if (route.HeuristicFraction is < 0 or > 1 || double.IsNaN(route.HeuristicFraction))
        {
            errors.Add(new($"{path}.heuristicFraction", $"{route.HeuristicFraction} is out of range (0 to 1)"));
        }

        SettingRules.Names(errors, $"{path}.keyHeaders", route.KeyHeaders, "a header name");
        SettingRules.Names(errors, $"{path}.keyCookies", route.KeyCookies, "a cookie name");
        if (route.TagHeader is { Length: > 0 } tag && !SettingRules.IsToken(tag))
        {
            errors.Add(new($"{path}.tagHeader", $"'{tag}' is not a header name"));
        }

        for (var i = 0; i < route.IgnoreQueryParameters.Count; i++)
        {
            if (string.IsNullOrEmpty(route.IgnoreQueryParameters[i]))
            {
                errors.Add(new($"{path}.ignoreQueryParameters[{i}]", "must not be empty"));
            }
        }

        return Settings(route, cache);
    }

    private static HttpCacheRouteSettings? Settings(RouteCacheDefinition route, CacheDefinition cache) => !route.Enabled ? null : new HttpCacheRouteSettings
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
