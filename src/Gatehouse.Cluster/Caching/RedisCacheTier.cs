using Gatehouse.Caching.Storage;
using StackExchange.Redis;

namespace Gatehouse.Cluster.Caching;

/// <summary>
/// The shared tier: stored responses in Redis (<see cref="RedisCacheLayout"/>). Every method throws when Redis fails;
/// <see cref="ClusterHttpCacheStore"/> turns that into a local-only answer.
/// </summary>
internal sealed class RedisCacheTier(RedisCacheLayout layout)
{
    /// <summary>What a read found: the servable variants, and how many were ignored (corrupt, another format, another key, expired).</summary>
    public readonly record struct ReadResult(IReadOnlyList<CachedResponse> Variants, int Ignored);

    public async Task<ReadResult> GetAsync(IDatabase database, string key, DateTimeOffset now)
    {
        var fields = await database.HashGetAllAsync(layout.Entry(key)).ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return new([], 0);
        }

        var found = new List<CachedResponse>(fields.Length);
        var ignored = 0;
        foreach (var field in fields)
        {
            var bytes = (byte[]?)field.Value;
            var response = bytes is null ? null : StoredEntryEncoding.TryDecode(bytes, field.Name.ToString());
            // The key check guards against a SHA-256 prefix clash and a value moved under another key; the time check
            // against a variant kept alive by a longer-lived sibling in the same hash.
            if (response is not null && response.Key == key && SharedEntryLifetime.IsServable(response.Freshness, now))
            {
                found.Add(response);
            }
            else if (response is null || response.Key != key)
            {
                ignored++;
            }
        }

        return new(found, ignored);
    }

    /// <summary>Stores one variant for <paramref name="timeToKeep"/>.</summary>
    public Task StoreAsync(IDatabase database, CachedResponse response, TimeSpan timeToKeep)
    {
        var keys = new RedisKey[2 + response.Tags.Count];
        keys[0] = layout.Entry(response.Key);
        keys[1] = layout.Target(response.Target);
        for (var i = 0; i < response.Tags.Count; i++)
        {
            keys[2 + i] = layout.Tag(response.Tags[i]);
        }

        RedisValue[] values =
        [
            StoredEntryEncoding.NameOf(response.Key, response.VaryKey),
            StoredEntryEncoding.Encode(response),
            (long)Math.Ceiling(timeToKeep.TotalMilliseconds),
            RedisCacheLayout.HashOf(response.Key),
        ];
        return database.ScriptEvaluateAsync(RedisCacheScripts.Store, keys, values);
    }

    public async Task<int> RemoveVariantAsync(IDatabase database, string key, string varyKey) =>
        await database.HashDeleteAsync(layout.Entry(key), StoredEntryEncoding.NameOf(key, varyKey)).ConfigureAwait(false) ? 1 : 0;

    public async Task<int> RemoveTargetAsync(IDatabase database, string target) =>
        (int)await database.ScriptEvaluateAsync(RedisCacheScripts.RemoveTarget, [layout.Target(target)], [layout.EntryPrefix]).ConfigureAwait(false);

    public async Task<int> RemoveTagAsync(IDatabase database, string tag) =>
        (int)await database.ScriptEvaluateAsync(RedisCacheScripts.RemoveTag, [layout.Tag(tag)], [layout.EntryPrefix, RedisCacheLayout.HashLength]).ConfigureAwait(false);

    /// <summary>
    /// Every target set whose target starts with <paramref name="prefix"/>, found with SCAN on each primary (a purge by
    /// prefix is an administrative act, rare next to reads), then each removed as a target.
    /// </summary>
    public async Task<int> RemoveTargetPrefixAsync(IDatabase database, string prefix)
    {
        var removed = 0;
        foreach (var server in database.Multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var targetKey in server.KeysAsync(database.Database, layout.TargetPattern(prefix), pageSize: 500).ConfigureAwait(false))
            {
                removed += (int)await database.ScriptEvaluateAsync(RedisCacheScripts.RemoveTarget, [targetKey], [layout.EntryPrefix]).ConfigureAwait(false);
            }
        }

        return removed;
    }
}
