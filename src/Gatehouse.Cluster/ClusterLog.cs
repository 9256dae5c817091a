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

    [LoggerMessage(EventId = 1804, Level = LogLevel.Warning, Message = "Cluster: ignored a Redis entry {Key} ({Reason})")]
    public static partial void EntryIgnored(ILogger logger, string key, string reason);
}
