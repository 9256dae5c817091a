namespace Gatehouse.Caching;

/// <summary>Why RFC 9111 §3 (or a choice of this cache) keeps a response out of a shared cache.</summary>
public enum NotStorableReason
{
    /// <summary>The response may be stored.</summary>
    None,

    /// <summary>The request method is not GET. HEAD responses only freshen a stored GET (§4.3.5).</summary>
    Method,

    /// <summary>The status code is not final (1xx).</summary>
    StatusNotFinal,

    /// <summary>
    /// 304, a 206 this cache cannot keep as a part (several ranges, no complete length, no strong validator), or
    /// <c>must-understand</c> with a status code this cache does not understand (§3).
    /// </summary>
    StatusNotUnderstood,

    /// <summary>The request carries <c>no-store</c> (§5.2.1.5).</summary>
    RequestNoStore,

    /// <summary>The response carries <c>no-store</c> without a <c>must-understand</c> that overrides it (§5.2.2.5).</summary>
    ResponseNoStore,

    /// <summary>Unqualified <c>private</c>: a shared cache must not store it (§5.2.2.7).</summary>
    Private,

    /// <summary>The request has Authorization and the response no public, s-maxage or must-revalidate (§3.5).</summary>
    Authorization,

    /// <summary><c>Vary: *</c>: no later request can match it (§4.1), so it is not worth storing.</summary>
    VaryAll,

    /// <summary>
    /// The response sets a cookie, and neither <c>no-cache="Set-Cookie"</c> nor <c>private="Set-Cookie"</c> keeps the
    /// cookie out of the stored copy: a choice of this cache (nginx's, Varnish's), which RFC 9111 §7.3 leaves open.
    /// </summary>
    SetCookie,

    /// <summary>Neither explicit freshness, nor public, nor a heuristically cacheable status code (§3).</summary>
    NoFreshnessInformation,
}
