using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching;

/// <summary>
/// What a cache keeps next to a stored response to judge it later without parsing it again: the §4.2.3 age inputs,
/// the §4.2.1 lifetime, and what the response allows once stale. Recalculate it after every validation (§4.3.4),
/// with the times of the validating exchange.
/// </summary>
public sealed record Freshness
{
    /// <summary>When the response (or the 304 that last validated it) was received: <c>response_time</c>.</summary>
    public required DateTimeOffset ResponseTime { get; init; }

    /// <summary><c>corrected_initial_age</c> (§4.2.3).</summary>
    public required TimeSpan CorrectedInitialAge { get; init; }

    /// <summary><c>freshness_lifetime</c> (§4.2.1).</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>Which rule gave <see cref="Lifetime"/>.</summary>
    public FreshnessSource Source { get; init; }

    /// <summary>Unqualified <c>no-cache</c>: never used without successful validation (§5.2.2.4).</summary>
    public bool RequiresValidation { get; init; }

    /// <summary>
    /// <c>must-revalidate</c>, <c>proxy-revalidate</c> or <c>s-maxage</c>: once stale, never served without
    /// successful validation, not even when the origin is unreachable (§4.2.4, §5.2.2.2, §5.2.2.8, §5.2.2.10).
    /// </summary>
    public bool ForbidsStale { get; init; }

    /// <summary><c>immutable</c> (RFC 8246): while fresh, a client's reload does not force validation.</summary>
    public bool Immutable { get; init; }

    /// <summary>How long after expiry it may be served while revalidating in the background (RFC 5861 §3).</summary>
    public TimeSpan StaleWhileRevalidate { get; init; }

    /// <summary>The response's own <c>stale-if-error</c> window (RFC 5861 §4), or null when it has none.</summary>
    public TimeSpan? StaleIfError { get; init; }

    /// <summary>Computes the record for a response received at <paramref name="responseTime"/>.</summary>
    /// <param name="statusCode">The stored status code.</param>
    /// <param name="responseHeaders">The stored (or, after validation, updated) header fields.</param>
    /// <param name="response">The response's directives, from <see cref="ResponseCacheControl.FromResponse"/>.</param>
    /// <param name="requestTime">When the request that brought the response was sent: <c>request_time</c>.</param>
    /// <param name="responseTime">When the response arrived: <c>response_time</c>.</param>
    /// <param name="policy">The route's policy, for heuristic freshness.</param>
    public static Freshness Calculate(
        int statusCode,
        IHeaderDictionary responseHeaders,
        ResponseCacheControl response,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime,
        CachePolicy policy)
    {
        var (lifetime, source) = FreshnessLifetime.Calculate(statusCode, responseHeaders, response, responseTime, policy);
        return new Freshness
        {
            ResponseTime = responseTime,
            CorrectedInitialAge = ResponseAge.CorrectedInitialAge(responseHeaders, requestTime, responseTime),
            Lifetime = lifetime,
            Source = source,
            RequiresValidation = response.NoCache,
            ForbidsStale = response.MustRevalidate || response.ProxyRevalidate || response.SharedMaxAge is not null,
            Immutable = response.Immutable,
            StaleWhileRevalidate = response.StaleWhileRevalidate ?? TimeSpan.Zero,
            StaleIfError = response.StaleIfError,
        };
    }

    /// <summary><c>current_age</c> at <paramref name="now"/> (§4.2.3).</summary>
    public TimeSpan CurrentAge(DateTimeOffset now) => ResponseAge.Current(CorrectedInitialAge, ResponseTime, now);

    /// <summary><c>response_is_fresh = freshness_lifetime &gt; current_age</c> (§4.2).</summary>
    public bool IsFresh(DateTimeOffset now) => Lifetime > CurrentAge(now);

    /// <summary>Remaining freshness, negative once stale: the <c>ttl</c> of Cache-Status (RFC 9211 §2.5).</summary>
    public TimeSpan TimeToLive(DateTimeOffset now) => Lifetime - CurrentAge(now);
}
