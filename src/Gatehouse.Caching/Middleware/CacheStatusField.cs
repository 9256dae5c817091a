using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Middleware;

/// <summary>Adds this cache's member to the Cache-Status field (RFC 9211 §2).</summary>
internal static class CacheStatusField
{
    public const string Name = "Cache-Status";

    /// <summary>
    /// Appends <paramref name="status"/> as a new field line after those already there: members go from the origin
    /// towards the client, and §2 asks to preserve what upstream caches said.
    /// </summary>
    public static void Append(IHeaderDictionary headers, CacheStatus status) => Append(headers, status.ToString());

    /// <summary><see cref="Append(IHeaderDictionary, CacheStatus)"/> with the member already formatted.</summary>
    public static void Append(IHeaderDictionary headers, string member) =>
        headers[Name] = StringValues.Concat(headers[Name], member);
}
