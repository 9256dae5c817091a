using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Tests;

/// <summary>Values shared by the tests: a fixed "now" and a terse way to write header fields.</summary>
internal static class Http
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int seconds) => Now.AddSeconds(seconds);

    /// <summary>IMF-fixdate, e.g. "Sun, 01 Jun 2025 12:00:00 GMT".</summary>
    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Header fields; a name given twice becomes two field lines.</summary>
    public static HeaderDictionary Headers(params (string Name, string Value)[] fields)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in fields)
        {
            // Not HeaderDictionary.Append, which drops empty values: an empty field is a case worth testing.
            headers[name] = StringValues.Concat(headers[name], value);
        }
        return headers;
    }

    public static ResponseCacheControl Response(string cacheControl) => ResponseCacheControl.Parse(cacheControl);

    public static RequestCacheControl Request(string cacheControl) => RequestCacheControl.Parse(cacheControl);

    public static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>A stored response received at <see cref="Now"/> with age 0 and the given lifetime.</summary>
    public static Freshness Stored(double lifetimeSeconds) => new()
    {
        ResponseTime = Now,
        CorrectedInitialAge = TimeSpan.Zero,
        Lifetime = TimeSpan.FromSeconds(lifetimeSeconds),
    };

    /// <summary>The freshness of a response with these headers, requested and received at <see cref="Now"/>.</summary>
    public static Freshness FreshnessOf(int status, IHeaderDictionary headers, CachePolicy? policy = null) =>
        Freshness.Calculate(
            status,
            headers,
            ResponseCacheControl.FromResponse(headers, (policy ?? CachePolicy.Default).TargetedFieldNames),
            Now,
            Now,
            policy ?? CachePolicy.Default);
}
