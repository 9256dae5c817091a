using Microsoft.Extensions.Logging;

namespace Gatehouse.Cluster;

/// <summary>Cluster mode's log lines (event ids 1800–1849). Each says a change of state, never one request's failure.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "Cluster: node {Node} connected to Redis {Endpoints}")]
    public static partial void Connected(ILogger logger, string node, string endpoints);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "Cluster: Redis {Endpoints} unreachable ({Reason}); node {Node} serves on its own (cache from memory, per-node state) until it is back")]
    public static partial void Unreachable(ILogger logger, string endpoints, string reason, string node);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Information, Message = "Cluster: node {Node} reconnected to Redis {Endpoints} after {Outage}; sharing resumes")]
    public static partial void Reconnected(ILogger logger, string node, string endpoints, TimeSpan outage);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "Cluster: a Redis command failed ({Reason}); further failures are not logged until Redis answers again")]
    public static partial void CommandFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1804, Level = LogLevel.Warning, Message = "Cluster: ignored {Count} unreadable shared cache entr(y/ies) for {Key} (corrupt, or written by another Gatehouse version); further ones are counted, not logged")]
    public static partial void EntryIgnored(ILogger logger, int count, string key);

    [LoggerMessage(EventId = 1805, Level = LogLevel.Warning, Message = "Cluster: {Count} cache removal(s) made while Redis was away could not all be kept for the other nodes; their memory may hold purged responses until these expire")]
    public static partial void PendingRemovalsDropped(ILogger logger, long count);

    [LoggerMessage(EventId = 1806, Level = LogLevel.Information, Message = "Cluster: told the other nodes of {Count} cache removal(s) made while Redis was away")]
    public static partial void PendingRemovalsSent(ILogger logger, int count);
}
