namespace Gatehouse.Cluster.Caching;

/// <summary>
/// The shared tier's writes and removals as Lua scripts, so that an entry and its indexes change together (one round
/// trip, atomic on the Redis side). StackExchange.Redis sends them by SHA once loaded.
/// </summary>
internal static class RedisCacheScripts
{
    /// <summary>
    /// KEYS: entry hash, target set, tag sets…; ARGV: variant name, entry bytes, time to keep (ms), key hash.
    /// Stores the variant, indexes it, and lengthens (never shortens) each key's expiry to the entry's.
    /// </summary>
    public const string Store = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[4])
        for i = 3, #KEYS do redis.call('SADD', KEYS[i], ARGV[4] .. ARGV[1]) end
        local ttl = tonumber(ARGV[3])
        for i = 1, #KEYS do
          if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
        end
        return 1
        """;

    /// <summary>
    /// KEYS: the removals stream; ARGV: the message, the stream's approximate length bound, the channel. Keeps the removal
    /// in the stream (for nodes that were away: <see cref="ClusterHttpCacheStore"/> reads it back when they reconnect)
    /// and publishes it (for the nodes connected now).
    /// </summary>
    public const string Announce = """
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
        return redis.call('PUBLISH', ARGV[3], ARGV[1])
        """;

    /// <summary>KEYS: a target set; ARGV: the entry key prefix. Removes every entry of the target; returns how many variants.</summary>
    public const string RemoveTarget = """
        local removed = 0
        for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          removed = removed + redis.call('HLEN', ARGV[1] .. hash)
          redis.call('DEL', ARGV[1] .. hash)
        end
        redis.call('DEL', KEYS[1])
        return removed
        """;

    /// <summary>KEYS: a tag set; ARGV: the entry key prefix, the key hash length. Removes every variant carrying the tag.</summary>
    public const string RemoveTag = """
        local removed = 0
        local length = tonumber(ARGV[2])
        for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          removed = removed + redis.call('HDEL', ARGV[1] .. string.sub(member, 1, length), string.sub(member, length + 1))
        end
        redis.call('DEL', KEYS[1])
        return removed
        """;
}
