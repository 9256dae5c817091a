namespace Gatehouse.Observability;

/// <summary>
/// Wraps the logger factory so that Kestrel's per-connection categories (HTTP/2 and HTTP/3 frame errors, bad requests,
/// connection resets) cannot flood the log: a client can make Kestrel log one critical line per aborted connection
/// ("exceeded the output operations maximum queue size" under rapid reset), tens of thousands a minute. Their warnings,
/// errors and criticals are written at debug level instead, and counted into one summary warning per window. Kestrel's
/// general category, where an application error would be logged, is left as it is.
/// </summary>
internal sealed class ProtocolNoiseLoggerFactory(ILoggerFactory inner, ProtocolNoiseSummary summary) : ILoggerFactory
{
    /// <summary>The categories whose events are caused by what a client sent or how it went away.</summary>
    public static readonly string[] NoiseCategories =
    [
        "Microsoft.AspNetCore.Server.Kestrel.Http2",
        "Microsoft.AspNetCore.Server.Kestrel.Http3",
        "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
        "Microsoft.AspNetCore.Server.Kestrel.Connections",
        "Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets",
        Protection.Http2Frames.Http2FrameGuard.LogCategory,
    ];

    public static bool IsNoise(string category) =>
        Array.Exists(NoiseCategories, c => category.Equals(c, StringComparison.Ordinal) || category.StartsWith(c + ".", StringComparison.Ordinal));

    /// <summary>
    /// Kestrel's general category, where application errors go, also carries one per-connection event: a connection whose
    /// processing was dropped without completing (seen once per aborted connection under rapid reset). Only that one is noise.
    /// </summary>
    public const string KestrelGeneral = "Microsoft.AspNetCore.Server.Kestrel";

    public static bool IsNoiseEvent(string category, EventId eventId) =>
        category == KestrelGeneral && (eventId.Id == 23 || eventId.Name == "ApplicationNeverCompleted");

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return IsNoise(categoryName) ? new NoiseLogger(logger, summary, null)
            : categoryName == KestrelGeneral ? new NoiseLogger(logger, summary, eventId => IsNoiseEvent(categoryName, eventId))
            : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The inner factory is a container singleton of its own, disposed by the container.
    public void Dispose()
    {
    }

    /// <summary>Downgrades warnings and above, all of them or those <paramref name="only"/> picks.</summary>
    private sealed class NoiseLogger(ILogger inner, ProtocolNoiseSummary summary, Func<EventId, bool>? only) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        // Warnings and above are always "enabled" here, so that each one is counted even when debug is off.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Warning || (only is not null && !only(eventId)))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            summary.Record();
            if (inner.IsEnabled(LogLevel.Debug))
            {
                inner.Log(LogLevel.Debug, eventId, state, exception, formatter);
            }
        }
    }
}

/// <summary>Counts the protocol events written at debug level and says how many there were, at most once per window.</summary>
internal sealed partial class ProtocolNoiseSummary(ILogger<ProtocolNoiseSummary> logger, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private long _count;
    private long? _lastReport;

    public void Record()
    {
        long report;
        lock (_lock)
        {
            _count++;
            var now = time.GetTimestamp();
            if (_lastReport is { } last && time.GetElapsedTime(last, now) < Window)
            {
                return;
            }

            report = _count;
            _count = 0;
            _lastReport = now;
        }

        Summary(logger, report, (int)Window.TotalSeconds);
    }

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning,
        Message = "Clients caused {Count} HTTP/2 or connection errors (resets, bad frames, flow-control or queue limits, spent frame budgets) since the last such line, at most one per {Window} s; each is logged at debug level under Microsoft.AspNetCore.Server.Kestrel.* and Gatehouse.Http2")]
    private static partial void Summary(ILogger logger, long count, int window);
}
