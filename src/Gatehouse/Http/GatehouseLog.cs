namespace Gatehouse.Http;

/// <summary>Gatehouse's own log messages, source-generated, with their event ids in one place (bottom layer, so every folder can log).</summary>
internal static partial class GatehouseLog
{
    // Per-request lines carry the request id the client was shown (X-Request-Id, Gatehouse's error page, the access log).
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{Method} {Path} (request {RequestId}): attempt {Attempt} to {Cluster}/{Destination} failed ({Failure}){Next}")]
    public static partial void AttemptFailed(ILogger logger, string method, string path, string requestId, int attempt, string cluster, string destination, string failure, string next);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Unhandled error for {Method} {Path} (request {RequestId})")]
    public static partial void UnhandledError(ILogger logger, Exception exception, string method, string path, string requestId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Access log: writing failed ({Reason}); lines are lost until a write succeeds")]
    public static partial void AccessLogWriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Access log: writing again; {LostLines} lines were lost while writes failed")]
    public static partial void AccessLogWriteRecovered(ILogger logger, long lostLines);

    // Traffic shaping and FastCGI (issue 19).
    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Mirror copy of route {Route} to {Destination} failed: {Reason}")]
    public static partial void MirrorFailed(ILogger logger, string route, string destination, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "FastCGI {Destination} (request {RequestId}) wrote to stderr: {Text}")]
    public static partial void FastCgiStderr(ILogger logger, string destination, string requestId, string text);
    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "limits.maxConnections {Configured} lowered to {Applied}: this process may open {FileLimit} files (ulimit -n) and has {OpenFiles} open; past that it could not run. Raise the limit (LimitNOFILE) or lower maxConnections")]
    public static partial void MaxConnectionsLowered(ILogger logger, string configured, int applied, long fileLimit, int openFiles);
}
