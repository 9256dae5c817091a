using System.Security.Cryptography;
using System.Text;
using Gatehouse.Caching.Storage;
using StackExchange.Redis;

namespace Gatehouse.Cluster.Caching;

/// <summary>
/// Where the shared tier keeps things in Redis, under the cluster's key prefix (docs/cluster.md, "Shared cache"):
/// <list type="bullet">
/// <item><c>cache:k:&lt;SHA-256 of the key&gt;</c>: a hash, one field per variant (<see cref="StoredEntryEncoding.NameOf"/>), the entry's bytes as value;</item>
/// <item><c>cache:t:&lt;target&gt;</c>: a set of the key hashes stored for a target (purge by URL, invalidation; by prefix with SCAN);</item>
/// <item><c>cache:g:&lt;tag&gt;</c>: a set of key hash + variant name (purge by tag);</item>
/// <item>channel <c>cache:removals</c>: every removal, for the other nodes' memory (<see cref="CacheRemoval"/>), and a
/// stream of the same name keeping the last 10,000 of them for nodes that were away when they were published.</item>
/// </list>
/// Every key expires with the longest-lived entry it refers to (PEXPIRE only ever lengthens), so nothing outlives its use.
/// </summary>
internal sealed class RedisCacheLayout(ClusterKeys keys)
{
    public const int HashLength = 64;
    public const string RemovalsChannel = "cache:removals";

    public string EntryPrefix { get; } = keys.Prefix + "cache:k:";

    /// <summary>The recent removals (a stream, bounded), read by a node that comes back after losing Redis.</summary>
    public RedisKey RemovalsStream { get; } = keys.Key("cache:removals");

    public string TargetPrefix { get; } = keys.Prefix + "cache:t:";

    public RedisKey Entry(string key) => EntryPrefix + HashOf(key);

    public RedisKey Target(string target) => TargetPrefix + target;

    public RedisKey Tag(string tag) => keys.Key("cache:g:" + tag);

    /// <summary>A SCAN pattern for every target set whose target starts with <paramref name="prefix"/> (glob characters escaped).</summary>
    public RedisValue TargetPattern(string prefix)
    {
        var escaped = new StringBuilder(TargetPrefix.Length + prefix.Length + 8);
        foreach (var c in TargetPrefix + prefix)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.Append('*').ToString();
    }

    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
