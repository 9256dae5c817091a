using StackExchange.Redis;

namespace Gatehouse.Cluster;

/// <summary>
/// Names in Redis: every key and channel of a cluster starts with its <see cref="ClusterOptions.KeyPrefix"/>, then the
/// feature's own part (<c>cache:</c>, <c>ratelimit:</c>…), so clusters sharing a Redis never see each other's state.
/// </summary>
public sealed class ClusterKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    public RedisKey Key(string name) => Prefix + name;

    public RedisChannel Channel(string name) => RedisChannel.Literal(Prefix + name);
}
