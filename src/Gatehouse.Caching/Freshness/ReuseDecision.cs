namespace Gatehouse.Caching;

/// <summary>What to do with a stored response that matches a request (URI and Vary).</summary>
public enum ReuseDecision
{
    /// <summary>Fresh and acceptable to the client: serve it, with Age.</summary>
    Fresh,

    /// <summary>Stale within <c>stale-while-revalidate</c>: serve it now and refresh it in the background (RFC 5861 §3).</summary>
    StaleWhileRevalidate,

    /// <summary>Stale, and the client's <c>max-stale</c> accepts it (§5.2.1.2): serve it.</summary>
    StaleAcceptedByClient,

    /// <summary>Stale (or <c>no-cache</c> in the response) and not servable as such: validate with the origin first (Cache-Status <c>fwd=stale</c>).</summary>
    ValidateStale,

    /// <summary>Fresh, but the request's directives refuse it (Cache-Status <c>fwd=request</c>): validate first.</summary>
    ValidateForRequest,
}
