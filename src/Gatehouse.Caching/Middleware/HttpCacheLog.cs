using Microsoft.Extensions.Logging;

namespace Gatehouse.Caching.Middleware;

/// <summary>The cache's log messages, source-generated, with their event ids in one place.</summary>
internal static partial class HttpCacheLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "HTTP cache: reading {Key} from the store failed; treated as a miss")]
    public static partial void StoreReadFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "HTTP cache: writing {Key} to the store failed; the response was served but not stored")]
    public static partial void StoreWriteFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "HTTP cache: removing {Target} from the store failed")]
    public static partial void StoreRemoveFailed(ILogger logger, string target, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "HTTP cache: background refresh of {Key} failed")]
    public static partial void BackgroundRefreshFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "HTTP cache: waited {Timeout} for the collapsed forward of {Key}; forwarding on its own")]
    public static partial void CollapseTimedOut(ILogger logger, string key, TimeSpan timeout);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "HTTP cache: the origin failed ({Status}) for {Key}; served the stored response stale")]
    public static partial void ServedStaleOnError(ILogger logger, string key, string status);
}
