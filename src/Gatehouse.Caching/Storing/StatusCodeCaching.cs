namespace Gatehouse.Caching;

/// <summary>What this cache knows about status codes.</summary>
internal static class StatusCodeCaching
{
    /// <summary>RFC 9110 §15.1: the status codes that are heuristically cacheable.</summary>
    public static bool IsHeuristicallyCacheable(int statusCode) =>
        statusCode is 200 or 203 or 204 or 206 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>
    /// The codes whose caching-related behaviour this cache implements (RFC 9111 §3, "understood"): the final codes
    /// RFC 9110 defines, except 206 (stored only as a part, judged by <see cref="PartialContent.EvaluateStorability"/>,
    /// §3.3) and 304 (only used to freshen, §4.3.4).
    /// </summary>
    public static bool IsUnderstood(int statusCode) =>
        statusCode is 200 or 201 or 202 or 203 or 204 or 205
            or 300 or 301 or 302 or 303 or 305 or 307 or 308
            or >= 400 and <= 417 or 421 or 422 or 426
            or >= 500 and <= 505;
}
