using Microsoft.Extensions.Logging;

namespace Gatehouse.Caching.Storage;

/// <summary>The disk store's log messages, source-generated (event ids next to <c>HttpCacheLog</c>'s 3001-3006).</summary>
internal static partial class DiskStoreLog
{
    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Disk cache {Directory}: writing an entry failed ({Reason}); responses are served but not stored on disk until a write succeeds")]
    public static partial void WritesFailing(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Disk cache {Directory}: storing again; {NotStored} entries were not stored while writes failed")]
    public static partial void WritesRecovered(ILogger logger, string directory, long notStored);
}
