namespace Gatehouse.Cluster;

/// <summary>What a node needs to join its cluster: the Redis it shares, the prefix of its keys, and its own name.</summary>
public sealed record ClusterOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "gatehouse:";

    /// <summary>A StackExchange.Redis configuration string: endpoints, <c>serviceName</c> (Sentinel), <c>ssl</c>, <c>user</c>, <c>password</c>, <c>defaultDatabase</c>…</summary>
    public required string Redis { get; init; }

    /// <summary>Put in front of every key and channel name, so that several Gatehouse clusters can share one Redis.</summary>
    public string KeyPrefix { get; init; } = DefaultKeyPrefix;

    /// <summary>This node's name in logs, the admin status and Redis's client list.</summary>
    public string NodeName { get; init; } = DefaultNodeName();

    /// <summary>The host name and the process id: unique among the processes of one host.</summary>
    public static string DefaultNodeName() => $"{Environment.MachineName}-{Environment.ProcessId}";
}
