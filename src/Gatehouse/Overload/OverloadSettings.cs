using Gatehouse.Configuration;

namespace Gatehouse.Overload;

/// <summary>A cluster's per-destination concurrency limit and queue, compiled once per config generation.</summary>
public sealed record OverloadSettings(int? MaxConcurrentRequests, int QueueSize, TimeSpan QueueTimeout)
{
    public static OverloadSettings None { get; } = new(null, 0, TimeSpan.Zero);

    public static OverloadSettings From(ClusterDefinition cluster) => cluster.MaxConcurrentRequests is { } max
        ? new(max, cluster.Queue.Size, cluster.Queue.Timeout.Value ?? TimeSpan.FromSeconds(10))
        : None;

    /// <summary>
    /// The Retry-After a refused request gets, in whole seconds: the queue timeout rounded up, at least 1. By then every
    /// request that was queued has been served or refused, so the queue the client comes back to is a new one.
    /// </summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(QueueTimeout.TotalSeconds));
}
