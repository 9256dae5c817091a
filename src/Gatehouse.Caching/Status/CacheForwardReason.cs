namespace Gatehouse.Caching;

/// <summary>Why a request went to the origin: the <c>fwd</c> parameter of Cache-Status (RFC 9211 §2.2).</summary>
public enum CacheForwardReason
{
    /// <summary><c>bypass</c>: the cache was configured not to handle this request.</summary>
    Bypass,

    /// <summary><c>method</c>: the request method's semantics require forwarding.</summary>
    Method,

    /// <summary><c>uri-miss</c>: nothing stored for the URI.</summary>
    UriMiss,

    /// <summary><c>vary-miss</c>: responses stored for the URI, none matching the request's Vary fields.</summary>
    VaryMiss,

    /// <summary><c>miss</c>: no stored response, when the cache cannot tell why.</summary>
    Miss,

    /// <summary><c>request</c>: a fresh response was stored, but the request's directives did not allow it.</summary>
    Request,

    /// <summary><c>stale</c>: the stored response was stale and had to be validated.</summary>
    Stale,

    /// <summary><c>partial</c>: only part of the response was stored.</summary>
    Partial,
}
