using Gatehouse.Caching;

namespace Gatehouse.Cluster.Caching;

/// <summary>
/// How long the shared tier keeps a response: while it can still be served without the origin's word, that is while it
/// is fresh, then through its own stale windows (RFC 5861 <c>stale-while-revalidate</c>, <c>stale-if-error</c>). Past
/// that, only a node's own memory keeps it (for revalidation and a route's <c>maxStaleOnError</c>). Pure.
/// </summary>
public static class SharedEntryLifetime
{
    /// <summary>How long from <paramref name="now"/> the entry may stay shared; zero or less: do not share it.</summary>
    public static TimeSpan TimeToKeep(Freshness freshness, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(freshness);
        if (freshness.RequiresValidation)
        {
            // no-cache: never served without asking the origin, so never a hit another node could take from Redis.
            return TimeSpan.Zero;
        }

        var staleWindow = freshness.ForbidsStale
            ? TimeSpan.Zero
            : Max(freshness.StaleWhileRevalidate, freshness.StaleIfError ?? TimeSpan.Zero);
        return freshness.TimeToLive(now) + staleWindow;
    }

    /// <summary>Whether an entry read back from the shared tier can still be served (its Redis key may outlive one of its variants).</summary>
    public static bool IsServable(Freshness freshness, DateTimeOffset now) => TimeToKeep(freshness, now) > TimeSpan.Zero;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
