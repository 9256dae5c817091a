using Gatehouse.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>
/// Limits retries to a share of recent requests (Envoy's retry budget, Finagle's RetryBudget), so that when a cluster
/// fails retries cannot multiply its load. Requests and retries are counted in ten time buckets spanning the window;
/// a retry is allowed while retries in the window stay below <c>ratio × requests</c> plus a floor of
/// <c>minRetriesPerSecond × window</c>. Time comes from a <see cref="TimeProvider"/>, so tests need no sleeps.
/// </summary>
public sealed class RetryBudget(TimeProvider time)
{
    private const int Buckets = 10;

    private readonly long[] _requests = new long[Buckets];
    private readonly long[] _retries = new long[Buckets];
    private readonly Lock _rotation = new();
    private long _currentBucket = -1;
    private long _bucketTicks;

    public void RecordRequest(RetryBudgetSettings settings) => Interlocked.Increment(ref _requests[Advance(settings)]);

    /// <summary>Whether a retry would be allowed now, without taking it.</summary>
    public bool CanRetry(RetryBudgetSettings settings)
    {
        Advance(settings);
        return Sum(_retries) < Allowance(settings, Sum(_requests));
    }

    /// <summary>Takes a retry from the budget when one is left.</summary>
    public bool TryWithdraw(RetryBudgetSettings settings)
    {
        var bucket = Advance(settings);
        if (Sum(_retries) >= Allowance(settings, Sum(_requests)))
        {
            return false;
        }

        Interlocked.Increment(ref _retries[bucket]);
        return true;
    }

    /// <summary>How many retries a window with <paramref name="requests"/> requests allows. Pure.</summary>
    public static double Allowance(RetryBudgetSettings settings, long requests) =>
        (settings.Ratio * requests) + (settings.MinRetriesPerSecond * settings.Window.TotalSeconds);

    private int Advance(RetryBudgetSettings settings)
    {
        var bucketTicks = Math.Max(1, settings.Window.Ticks / Buckets);
        // Via TimeSpan: timestamp × TicksPerSecond overflows a long once the clock has run for a day or so.
        var now = time.GetElapsedTime(0, time.GetTimestamp()).Ticks;
        var bucket = now / bucketTicks;
        if (bucket != Volatile.Read(ref _currentBucket) || bucketTicks != Volatile.Read(ref _bucketTicks))
        {
            lock (_rotation)
            {
                var current = _currentBucket;
                if (bucketTicks != _bucketTicks || current < 0 || bucket - current >= Buckets)
                {
                    Array.Clear(_requests);
                    Array.Clear(_retries);
                }
                else
                {
                    for (var b = current + 1; b <= bucket; b++)
                    {
                        _requests[b % Buckets] = 0;
                        _retries[b % Buckets] = 0;
                    }
                }

                _bucketTicks = bucketTicks;
                Volatile.Write(ref _currentBucket, Math.Max(bucket, current));
            }
        }

        return (int)(bucket % Buckets);
    }

    private static long Sum(long[] counts)
    {
        long sum = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            sum += Volatile.Read(ref counts[i]);
        }

        return sum;
    }
}
