using Gatehouse.Acme.Protocol;

namespace Gatehouse.Acme;

/// <summary>When to renew and how to back off; see docs/acme.md.</summary>
public sealed record RenewalPolicy
{
    /// <summary>Renew when this fraction of the lifetime has passed (Let's Encrypt and Caddy: two thirds).</summary>
    public double RenewAtFractionOfLifetime { get; init; } = 2.0 / 3.0;

    /// <summary>Renew up to this fraction of the lifetime earlier, at random, so certificates issued together spread out.</summary>
    public double JitterFractionOfLifetime { get; init; } = 0.05;

    /// <summary>The wait after the first failure; it doubles with each consecutive failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between attempts, whatever the failures.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromHours(6);

    /// <summary>How often renewal information (ARI) is asked again when the CA gives no Retry-After.</summary>
    public TimeSpan RenewalInfoRecheck { get; init; } = TimeSpan.FromHours(6);

    /// <summary>
    /// While waiting to retry after a failure, how often the certificate store is read again: another instance
    /// sharing the store (cluster mode) may have obtained the certificate meanwhile, and is then served at once.
    /// </summary>
    public TimeSpan StoreRecheckWhileFailing { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The renewal decisions as pure functions of certificate times, the CA's answers, the clock and a random sample in
/// [0, 1): the manager feeds them, the tests drive them without sockets.
/// </summary>
public static class RenewalSchedule
{
    /// <summary>
    /// When a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> is due: at the
    /// policy's fraction of its lifetime, earlier by up to the jitter fraction (scaled by <paramref name="jitterSample"/>).
    /// </summary>
    public static DateTimeOffset RenewalTime(DateTimeOffset notBefore, DateTimeOffset notAfter, double jitterSample, RenewalPolicy policy)
    {
        var lifetime = notAfter - notBefore;
        if (lifetime <= TimeSpan.Zero)
        {
            return notBefore;
        }

        var fraction = Math.Clamp(policy.RenewAtFractionOfLifetime - (policy.JitterFractionOfLifetime * Math.Clamp(jitterSample, 0, 1)), 0, 1);
        return notBefore + (lifetime * fraction);
    }

    /// <summary>
    /// When to renew given the CA's suggested window (RFC 9773 §4.2): a uniformly chosen moment inside it; a window
    /// already over means now. Without a window the lifetime rule decides.
    /// </summary>
    public static DateTimeOffset RenewalTime(DateTimeOffset notBefore, DateTimeOffset notAfter, AcmeRenewalInfo? renewalInfo, DateTimeOffset now, double sample, RenewalPolicy policy)
    {
        if (renewalInfo is null)
        {
            return RenewalTime(notBefore, notAfter, sample, policy);
        }

        if (renewalInfo.WindowEnd <= now)
        {
            return now;
        }

        return renewalInfo.WindowStart + ((renewalInfo.WindowEnd - renewalInfo.WindowStart) * Math.Clamp(sample, 0, 1));
    }

    /// <summary>When to ask for renewal information again: the CA's Retry-After, else the policy's recheck interval.</summary>
    public static DateTimeOffset RenewalInfoRecheck(DateTimeOffset now, AcmeRenewalInfo? renewalInfo, RenewalPolicy policy) =>
        now + (renewalInfo?.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero ? retryAfter : policy.RenewalInfoRecheck);

    /// <summary>
    /// When to try again after <paramref name="consecutiveFailures"/> failures in a row: the initial back-off doubled
    /// per failure, capped; a longer Retry-After from the CA wins (RFC 8555 §6.6: rate limits say when to come back).
    /// </summary>
    public static DateTimeOffset NextAttemptAfterFailure(DateTimeOffset now, int consecutiveFailures, TimeSpan? retryAfter, RenewalPolicy policy)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var backoff = TimeSpan.FromTicks((long)Math.Min(policy.InitialBackoff.Ticks * Math.Pow(2, exponent), policy.MaxBackoff.Ticks));
        if (retryAfter is { } asked && asked > backoff)
        {
            backoff = asked;
        }

        return now + backoff;
    }

    /// <summary>Whether a certificate can be served at <paramref name="now"/> (inside its validity).</summary>
    public static bool IsValidAt(DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset now) => now >= notBefore && now < notAfter;
}
