namespace Gatehouse.Caching;

/// <summary>Whether a stored response can be used without contacting the origin: RFC 9111 §4, §4.2.4, §5.2; RFC 5861.</summary>
public static class Reuse
{
    /// <summary>
    /// Decides for a matching stored response at <paramref name="now"/>:
    /// <list type="number">
    /// <item>unqualified <c>no-cache</c> in the response: validate (§4, §5.2.2.4 MUST);</item>
    /// <item>the request's <c>no-cache</c>, a <c>max-age</c> below the current age, or a <c>min-fresh</c> the response cannot
    /// meet: validate (§5.2.1; <c>fwd=request</c> when fresh, <c>fwd=stale</c> when stale) — except that a fresh
    /// <c>immutable</c> response ignores no-cache and max-age (RFC 8246);</item>
    /// <item>fresh: use it;</item>
    /// <item>stale with must-revalidate, proxy-revalidate or s-maxage: validate (§4.2.4 MUST NOT serve stale);</item>
    /// <item>stale within stale-while-revalidate: use it and refresh; within the client's max-stale: use it;</item>
    /// <item>otherwise validate (§4.2.4 MUST NOT serve stale without permission).</item>
    /// </list>
    /// A request with <c>only-if-cached</c> that gets a Validate decision is answered 504 (§5.2.1.7).
    /// </summary>
    public static ReuseDecision Decide(Freshness stored, RequestCacheControl request, DateTimeOffset now)
    {
        if (stored.RequiresValidation)
        {
            return ReuseDecision.ValidateStale;
        }
        var age = stored.CurrentAge(now);
        var tooOldForClient = request.NoCache || (request.MaxAge is { } maxAge && age > maxAge);
        var tooCloseToExpiry = request.MinFresh is { } minFresh && stored.Lifetime - age < minFresh;
        if (stored.Lifetime > age)
        {
            if ((tooOldForClient && !stored.Immutable) || tooCloseToExpiry)
            {
                return ReuseDecision.ValidateForRequest;
            }
            return ReuseDecision.Fresh;
        }
        if (tooOldForClient || tooCloseToExpiry || stored.ForbidsStale)
        {
            return ReuseDecision.ValidateStale;
        }
        var staleness = age - stored.Lifetime;
        if (stored.StaleWhileRevalidate > TimeSpan.Zero && staleness <= stored.StaleWhileRevalidate)
        {
            return ReuseDecision.StaleWhileRevalidate;
        }
        if (request.MaxStale && (request.MaxStaleLimit is null || staleness <= request.MaxStaleLimit))
        {
            return ReuseDecision.StaleAcceptedByClient;
        }
        return ReuseDecision.ValidateStale;
    }

    /// <summary>
    /// Whether the stored response may answer a request whose forwarding failed (no connection, timeout, or a status for
    /// which <see cref="IsOriginError"/> is true). A fresh response may; <c>no-cache</c>, must-revalidate,
    /// proxy-revalidate and s-maxage forbid it (§4.2.4, §5.2.2.2: answer 504 instead). Otherwise its staleness must fit
    /// the request's <c>stale-if-error</c> if it has one (RFC 5861 §4, the client's own limit), else the response's, else
    /// <see cref="CachePolicy.MaxStaleOnError"/>; or the client's <c>max-stale</c>.
    /// </summary>
    public static bool CanServeStaleOnError(Freshness stored, RequestCacheControl request, DateTimeOffset now, CachePolicy policy)
    {
        if (stored.RequiresValidation)
        {
            return false;
        }
        var age = stored.CurrentAge(now);
        if (stored.Lifetime > age)
        {
            return true;
        }
        if (stored.ForbidsStale)
        {
            return false;
        }
        var staleness = age - stored.Lifetime;
        var window = request.StaleIfError ?? stored.StaleIfError ?? policy.MaxStaleOnError;
        return (window > TimeSpan.Zero && staleness <= window)
            || (request.MaxStale && (request.MaxStaleLimit is null || staleness <= request.MaxStaleLimit));
    }

    /// <summary>The statuses that count as an error for <c>stale-if-error</c>: 500, 502, 503, 504 (RFC 5861 §4).</summary>
    public static bool IsOriginError(int statusCode) => statusCode is 500 or 502 or 503 or 504;
}
