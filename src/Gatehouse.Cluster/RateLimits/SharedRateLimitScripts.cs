using System.Globalization;
using StackExchange.Redis;

namespace Gatehouse.Cluster.RateLimits;

/// <summary>How a shared count is kept: the algorithm and its numbers (times in microseconds, as the scripts count).</summary>
public sealed record SharedLimitShape(SharedLimitAlgorithm Algorithm, long Limit, long PeriodMicros, long PerPeriod, int Segments)
{
    public static SharedLimitShape TokenBucket(long limit, TimeSpan period, long tokensPerPeriod) =>
        new(SharedLimitAlgorithm.TokenBucket, limit, Micros(period), tokensPerPeriod, 1);

    public static SharedLimitShape SlidingWindow(long limit, TimeSpan window, int segments) =>
        new(SharedLimitAlgorithm.SlidingWindow, limit, Micros(window), 0, Math.Max(1, segments));

    public static SharedLimitShape FixedWindow(long limit, TimeSpan window) =>
        new(SharedLimitAlgorithm.FixedWindow, limit, Micros(window), 0, 1);

    private static long Micros(TimeSpan span) => Math.Max(1, span.Ticks / 10);
}

public enum SharedLimitAlgorithm
{
    TokenBucket,
    SlidingWindow,
    FixedWindow,
}

/// <summary>What Redis handed out: <paramref name="Granted"/> permits (0..wanted), what is left after them, and how long until more.</summary>
public readonly record struct SharedGrant(int Granted, long Remaining, TimeSpan Wait);

/// <summary>
/// The Lua scripts that keep a rate limit in Redis. Each runs atomically and reads the time from Redis (<c>TIME</c>),
/// so the nodes' clocks never matter, and each takes up to <c>want</c> permits at once (the node's lease) and tells
/// how long until more exist. A key whose content does not parse is started afresh, never trusted.
/// </summary>
public static class SharedRateLimitScripts
{
    // Redis 5+ replicates script effects, so reading TIME before writing is allowed. Lua numbers are doubles: microsecond
    // timestamps (~1.8e15) stay exact below 2^53.
    private const string Now = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        """;

    /// <summary>ARGV: limit, period (µs), tokens per period, want. The bucket refills in whole periods, as .NET's does.</summary>
    private const string TokenBucket = Now + """
        local limit = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local per = tonumber(ARGV[3])
        local want = tonumber(ARGV[4])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1])
        local at = tonumber(state[2])
        if tokens == nil or at == nil or at > now or tokens < 0 or tokens > limit then
          tokens = limit
          at = now
        else
          local periods = math.floor((now - at) / period)
          if periods > 0 then
            tokens = math.min(limit, tokens + periods * per)
            at = at + periods * period
          end
        end
        local granted = math.max(0, math.min(want, tokens))
        tokens = tokens - granted
        local wait = 0
        if tokens < 1 then wait = at + period - now end
        redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
        redis.call('PEXPIRE', KEYS[1], math.ceil((math.ceil((limit - tokens) / per) + 1) * period / 1000))
        return {granted, tokens, math.ceil(wait / 1000)}
        """;

    /// <summary>ARGV: limit, window (µs), segments, want. One hash field per segment (its index), older ones deleted.</summary>
    private const string SlidingWindow = Now + """
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local segments = tonumber(ARGV[3])
        local want = tonumber(ARGV[4])
        local seg = window / segments
        local current = math.floor(now / seg)
        local oldest = current - segments + 1
        local all = redis.call('HGETALL', KEYS[1])
        local used = 0
        local first = nil
        for i = 1, #all, 2 do
          local s = tonumber(all[i])
          local n = tonumber(all[i + 1])
          if s == nil or n == nil or n < 0 or s < oldest or s > current then
            redis.call('HDEL', KEYS[1], all[i])
          else
            used = used + n
            if first == nil or s < first then first = s end
          end
        end
        local granted = math.max(0, math.min(want, limit - used))
        if granted > 0 then
          redis.call('HINCRBY', KEYS[1], string.format('%d', current), granted)
          if first == nil then first = current end
        end
        local remaining = math.max(0, limit - used - granted)
        local wait = 0
        if remaining < 1 and first ~= nil then wait = (first + segments) * seg - now end
        redis.call('PEXPIRE', KEYS[1], math.ceil((window + seg) / 1000))
        return {granted, remaining, math.ceil(wait / 1000)}
        """;

    /// <summary>ARGV: limit, window (µs), want. Windows are aligned on Redis's clock (multiples of the window).</summary>
    private const string FixedWindow = Now + """
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local want = tonumber(ARGV[3])
        local w = math.floor(now / window)
        local state = redis.call('HMGET', KEYS[1], 'w', 'n')
        local n = 0
        if tonumber(state[1]) == w and tonumber(state[2]) ~= nil and tonumber(state[2]) >= 0 then n = tonumber(state[2]) end
        local granted = math.max(0, math.min(want, limit - n))
        n = n + granted
        redis.call('HSET', KEYS[1], 'w', string.format('%d', w), 'n', n)
        redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
        local wait = 0
        if limit - n < 1 then wait = (w + 1) * window - now end
        return {granted, math.max(0, limit - n), math.ceil(wait / 1000)}
        """;

    /// <summary>Takes up to <paramref name="want"/> permits from the shared count under <paramref name="key"/>.</summary>
    public static async Task<SharedGrant> TakeAsync(IDatabase database, RedisKey key, SharedLimitShape shape, int want)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(shape);
        var (script, values) = shape.Algorithm switch
        {
            SharedLimitAlgorithm.TokenBucket => (TokenBucket, new RedisValue[] { shape.Limit, shape.PeriodMicros, shape.PerPeriod, want }),
            SharedLimitAlgorithm.SlidingWindow => (SlidingWindow, new RedisValue[] { shape.Limit, shape.PeriodMicros, shape.Segments, want }),
            _ => (FixedWindow, new RedisValue[] { shape.Limit, shape.PeriodMicros, want }),
        };
        var result = await database.ScriptEvaluateAsync(script, [key], values).ConfigureAwait(false);
        var parts = (RedisResult[]?)result;
        if (parts is not { Length: 3 })
        {
            throw new InvalidDataException("the rate limit script returned " + result);
        }

        var granted = (long)parts[0];
        return new SharedGrant(
            (int)Math.Clamp(granted, 0, want),
            Math.Max(0, (long)parts[1]),
            TimeSpan.FromMilliseconds(Math.Max(0, (long)parts[2])));
    }

    /// <summary>A short, stable fingerprint of a shape, put in the key so that a policy whose numbers change starts afresh.</summary>
    public static string Fingerprint(SharedLimitShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var text = string.Create(CultureInfo.InvariantCulture, $"{shape.Algorithm}/{shape.Limit}/{shape.PeriodMicros}/{shape.PerPeriod}/{shape.Segments}");
        return Convert.ToHexStringLower(System.IO.Hashing.XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
