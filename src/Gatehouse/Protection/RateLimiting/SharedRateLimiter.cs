using System.Threading.RateLimiting;
using Gatehouse.Cluster;
using Gatehouse.Cluster.RateLimits;
using StackExchange.Redis;

namespace Gatehouse.Protection;

/// <summary>
/// One client's limiter of a policy counted across the cluster (docs/cluster.md, "Rate limits across nodes"): permits
/// come from Redis in leases (<see cref="SharedLeasePlan"/>), and a denial is remembered until Redis said more permits
/// exist, so most requests never wait for Redis. While Redis cannot be reached, the policy's
/// <c>whenClusterUnavailable</c> decides: a limiter of this node's own (the same policy, counted here alone), or 429.
/// A Redis error never reaches the client.
/// </summary>
internal sealed class SharedRateLimiter(RateLimitPolicy policy, SharedLeasePlan plan, RedisKey key, ClusterConnection cluster, Func<RateLimiter> createLocal, TimeProvider time) : RateLimiter
{
    /// <summary>What a refusal suggests while Redis is away and the policy refuses: Redis is usually back within seconds.</summary>
    private static readonly TimeSpan RefusedRetryAfter = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private int leased;
    private long leaseExpires;
    private long deniedUntil;
    private long remaining = policy.PermitLimit;
    private long lastUsed = time.GetTimestamp();
    private RateLimiter? local;
    private Task? flight;
    private bool lastAnswerDenied;

    /// <summary>How many other requests' Redis calls one request waits for before it asks itself (no request waits forever).</summary>
    private const int MaxFlightsWaitedFor = 4;

    public override TimeSpan? IdleDuration
    {
        get
        {
            // The framework drops a partition idle for a while: the shared count is in Redis, so nothing is lost but a lease.
            var sinceUse = time.GetElapsedTime(Interlocked.Read(ref lastUsed));
            return local is { IdleDuration: null } ? null : sinceUse;
        }
    }

    public override RateLimiterStatistics? GetStatistics() => local is not null && !cluster.IsConnected
        ? local.GetStatistics()
        : new RateLimiterStatistics { CurrentAvailablePermits = Math.Max(0, Interlocked.Read(ref remaining)) };

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        // The synchronous path cannot wait for Redis: it spends the lease, or answers as the fallback would.
        Interlocked.Exchange(ref lastUsed, time.GetTimestamp());
        return TryLocally(permitCount) ?? (Fallback() is { } fallback ? fallback.AttemptAcquire(permitCount) : Lease.Denied(RefusedRetryAfter));
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref lastUsed, time.GetTimestamp());
        for (var waited = 0; ; waited++)
        {
            if (TryLocally(permitCount) is { } decided)
            {
                return decided;
            }

            if (cluster.Database is not { } database)
            {
                return await UnavailableAsync(permitCount, cancellationToken);
            }

            // Single flight: while one request asks Redis for a lease, or asks again after a remembered denial lapsed,
            // the others wait for its answer and decide from it (the lease it brought, or the denial it renewed)
            // instead of all asking at once. A policy without leases whose last answer was a grant gains nothing from
            // waiting (each request needs its own permit), so its requests ask side by side.
            TaskCompletionSource? mine = null;
            Task? theirs;
            lock (gate)
            {
                theirs = waited < MaxFlightsWaitedFor && (plan.Size > 1 || lastAnswerDenied) ? flight : null;
                if (theirs is null)
                {
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    flight ??= mine.Task;
                }
            }

            if (theirs is not null)
            {
                await theirs.WaitAsync(cancellationToken);
                continue;
            }

            try
            {
                return Settle(permitCount, await SharedRateLimitScripts.TakeAsync(database, key, plan.Shape, Math.Max(plan.Size, permitCount)));
            }
            catch (Exception ex)
            {
                cluster.ReportFailure(ex);
                return await UnavailableAsync(permitCount, cancellationToken);
            }
            finally
            {
                lock (gate)
                {
                    if (flight == mine!.Task)
                    {
                        flight = null;
                    }
                }

                mine.TrySetResult();
            }
        }
    }

    /// <summary>A decision without Redis: permits left in the lease, or a denial Redis gave that still holds. Null: ask Redis.</summary>
    private RateLimitLease? TryLocally(int permitCount)
    {
        var now = time.GetTimestamp();
        lock (gate)
        {
            if (now < deniedUntil && cluster.IsConnected)
            {
                return Lease.Denied(time.GetElapsedTime(now, deniedUntil));
            }

            if (now >= leaseExpires)
            {
                leased = 0;
            }

            if (permitCount <= leased)
            {
                leased -= permitCount;
                return Lease.Granted;
            }
        }

        return null;
    }

    private RateLimitLease Settle(int permitCount, SharedGrant grant)
    {
        var now = time.GetTimestamp();
        lock (gate)
        {
            Interlocked.Exchange(ref remaining, grant.Remaining);
            lastAnswerDenied = grant.Granted < permitCount;
            if (grant.Granted >= permitCount)
            {
                var spare = grant.Granted - permitCount;
                if (spare > 0)
                {
                    leased = (now < leaseExpires ? leased : 0) + spare;
                    leaseExpires = now + (long)(plan.Lifetime.TotalSeconds * time.TimestampFrequency);
                }

                return Lease.Granted;
            }

            // Not enough: what was granted is lost with this request (only a multi-permit acquire can get part of one), and
            // no permit exists anywhere until the wait Redis told, so requests until then (a second at most) are refused without asking.
            var wait = grant.Wait > TimeSpan.Zero ? grant.Wait : TimeSpan.FromMilliseconds(1);
            // Remembered for a second at most: Redis may lose its counts (a restart) or another node's policy may differ.
            var remembered = wait < SharedLeasePlan.MaxLifetime ? wait : SharedLeasePlan.MaxLifetime;
            deniedUntil = now + (long)(remembered.TotalSeconds * time.TimestampFrequency);
            return Lease.Denied(wait);
        }
    }

    private async ValueTask<RateLimitLease> UnavailableAsync(int permitCount, CancellationToken cancellationToken) =>
        Fallback() is { } fallback ? await fallback.AcquireAsync(permitCount, cancellationToken) : Lease.Denied(RefusedRetryAfter);

    /// <summary>This node's own limiter for the policy (kept while Redis is away, so its count goes on), or null: refuse.</summary>
    private RateLimiter? Fallback()
    {
        if (policy.RefuseWhenClusterUnavailable)
        {
            return null;
        }

        lock (gate)
        {
            return local ??= createLocal();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            local?.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (local is not null)
        {
            await local.DisposeAsync();
        }

        await base.DisposeAsyncCore();
    }

    /// <summary>Leases that hold nothing: a shared permit is spent as it is granted, and a denial carries its Retry-After.</summary>
    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly RateLimitLease Granted = new Lease(true, null);

        public static RateLimitLease Denied(TimeSpan retryAfter) => new Lease(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
