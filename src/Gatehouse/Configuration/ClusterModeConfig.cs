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
    public string? Redis { get; init; }

    /// <summary>Put in front of every key and channel, so that several Gatehouse clusters can share one Redis.</summary>
    public string KeyPrefix { get; init; } = "gatehouse:";

    /// <summary>This node's name in logs, the admin status and Redis's client list. Absent: the host name and the process id.</summary>
    public string? NodeName { get; init; }

    /// <summary>
    /// The AES-256-GCM key that seals ACME private keys and certificates in Redis: base64 of 32 bytes, <c>env:NAME</c> or
    /// <c>file:PATH</c>. Required while <c>tls.acme</c> is on (keys are never stored in Redis unencrypted).
    /// </summary>
    public string? EncryptionKey { get; init; }
}
