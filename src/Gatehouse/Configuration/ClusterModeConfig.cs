namespace Gatehouse.Configuration;

/// <summary>
/// Cluster mode (docs/cluster.md): this node shares its cache and state with every other Gatehouse node that names the
/// same Redis and key prefix. Absent: the node works alone. Read at start-up. (Not <c>clusters</c>, the backend clusters.)
/// </summary>
public sealed record ClusterModeDefinition : ConfigSection
{
    /// <summary>
    /// Required. A StackExchange.Redis configuration string: one or more <c>HOST:PORT</c> endpoints, then options such as
    /// <c>serviceName=</c> (the endpoints are Sentinels), <c>ssl=true</c>, <c>user=</c>, <c>password=</c>, <c>defaultDatabase=</c>.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Put in front of every key and channel, so that several Gatehouse clusters can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "gatehouse:";

    /// <summary>This node's name in logs, the admin status and Redis's client list. Absent: the host name and the process id.</summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// The AES-256-GCM key that seals ACME private keys and certificates in Redis: base64 of 32 bytes, <c>env:NAME</c> or
    /// <c>file:PATH</c>. Required while <c>tls.acme</c> is on (keys are never stored in Redis unencrypted).
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>The HTTP cache's shared tier in Redis (docs/cluster.md#shared-cache).</summary>
    public ClusterCacheDefinition Cache { get; set; } = new();
}

/// <summary>How the HTTP cache uses Redis: as a second tier shared by every node, below each node's own store.</summary>
public sealed record ClusterCacheDefinition : ConfigSection
{
    /// <summary>Share cached responses and purges through Redis. Off: each node caches alone (other shared state is unaffected).</summary>
    public bool Shared { get; set; } = true;

    /// <summary>The largest entry written to Redis; larger ones stay in the node's own store (memory, disk).</summary>
    public ByteSize MaxEntryBytes { get; set; } = ByteSize.Parse("1MB");
}
