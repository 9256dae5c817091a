using Gatehouse.Cluster.RateLimits;
using Gatehouse.Configuration;

namespace Gatehouse.Protection;

/// <summary>
/// How a node takes permits of a shared (cluster-wide) policy from Redis: <see cref="Size"/> at a time, used locally for
/// at most <see cref="Lifetime"/>, then forgotten (docs/cluster.md, "Rate limits across nodes"). Pure.
/// </summary>
/// <remarks>
/// A lease keeps the Redis round trip off all but one in <see cref="Size"/> requests. What it costs: permits leased by a
/// node and not used within the lifetime are lost (the cluster admits up to nodes × (size − 1) fewer than the limit), and
/// a fixed-window lease taken just before the window turns may be spent just after it (up to nodes × (size − 1) more in
/// that window). Never more than the limit otherwise: a permit is counted in Redis before it is used. So small policies
/// lease one permit at a time (exact), and larger ones at most one percent of the limit.
/// </remarks>
public readonly record struct SharedLeasePlan(SharedLimitShape Shape, int Size, TimeSpan Lifetime)
{
    /// <summary>At most this many permits per lease, whatever the policy's size.</summary>
    public const int MaxSize = 50;

    /// <summary>The lease and the shared count for <paramref name="policy"/>; null for concurrency, which stays per node.</summary>
    public static SharedLeasePlan? For(RateLimitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        SharedLimitShape? shape = policy.Algorithm switch
        {
            RateLimitAlgorithms.TokenBucket => SharedLimitShape.TokenBucket(policy.PermitLimit, policy.ReplenishmentPeriod, policy.TokensPerPeriod),
            RateLimitAlgorithms.SlidingWindow => SharedLimitShape.SlidingWindow(policy.PermitLimit, policy.Window, policy.SegmentsPerWindow),
            RateLimitAlgorithms.FixedWindow => SharedLimitShape.FixedWindow(policy.PermitLimit, policy.Window),
            _ => null,
        };
        if (shape is null)
        {
            return null;
        }

        // The smallest step of the policy: a leased permit must not outlive the segment, window or period it was counted in.
        var step = policy.Algorithm switch
        {
            RateLimitAlgorithms.TokenBucket => policy.ReplenishmentPeriod,
            RateLimitAlgorithms.SlidingWindow => policy.Window / Math.Max(1, policy.SegmentsPerWindow),
            _ => policy.Window,
        };
        // A token bucket's sustained rate is what a lease must stay small against, not its burst size.
        var perStep = policy.Algorithm == RateLimitAlgorithms.TokenBucket ? Math.Min(policy.PermitLimit, policy.TokensPerPeriod) : policy.PermitLimit;
        return new SharedLeasePlan(shape, SizeFor(perStep), TimeSpan.FromTicks(Math.Min(step.Ticks, MaxLifetime.Ticks)));
    }

    /// <summary>How long leased permits stay usable: a second at most, so that idle leases release their share quickly.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(1);

    /// <summary>One permit per lease below 100 (exact counts); above, one percent of the limit, at most <see cref="MaxSize"/>.</summary>
    public static int SizeFor(long permitsPerStep) => (int)Math.Clamp(permitsPerStep / 100, 1, MaxSize);
}
