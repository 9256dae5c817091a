using Gatehouse.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Tests.Observability;

/// <summary>Kestrel's per-connection events come down to debug, counted into one warning per window; application errors stay.</summary>
public sealed class ProtocolNoiseTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Recorder _recorder = new();

    private ILoggerFactory Factory()
    {
        var inner = LoggerFactory.Create(b => b.AddProvider(_recorder).SetMinimumLevel(LogLevel.Warning));
        return new ProtocolNoiseLoggerFactory(inner, new ProtocolNoiseSummary(inner.CreateLogger<ProtocolNoiseSummary>(), _time));
    }

    [Fact]
    public void ABurstOfHttp2Criticals_IsOneSummaryWarningPerWindow()
    {
        var http2 = Factory().CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Http2");

        for (var i = 0; i < 1000; i++)
        {
            http2.LogCritical("Connection id \"{Id}\" exceeded the output operations maximum queue size.", i);
        }

        _time.Advance(ProtocolNoiseSummary.Window);
        http2.LogError("HTTP/2 connection error.");

        Assert.Equal(
            [(LogLevel.Warning, "Gatehouse.Observability.ProtocolNoiseSummary", 1L), (LogLevel.Warning, "Gatehouse.Observability.ProtocolNoiseSummary", 1000L)],
            _recorder.Lines.Select(l => (l.Level, l.Category, l.Count)));
    }

    [Fact]
    public void KestrelsApplicationErrors_StillLog_AsTheyAre()
    {
        var factory = Factory();
        var general = factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel");

        general.Log(LogLevel.Error, new EventId(13, "ApplicationError"), "Connection id \"x\": An unhandled exception was thrown by the application.");
        general.Log(LogLevel.Critical, new EventId(23, "ApplicationNeverCompleted"), "Connection id \"x\" application never completed.");
        factory.CreateLogger("Gatehouse.Forwarding.ForwardingMiddleware").LogWarning("attempt failed");

        Assert.Equal(
            [(LogLevel.Error, "Microsoft.AspNetCore.Server.Kestrel", 0L), (LogLevel.Warning, "Gatehouse.Observability.ProtocolNoiseSummary", 1L), (LogLevel.Warning, "Gatehouse.Forwarding.ForwardingMiddleware", 0L)],
            _recorder.Lines.Select(l => (l.Level, l.Category, l.Count)));
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel.Http2", true)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel.Connections", true)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel.BadRequests", true)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel", false)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel.Http2Extra", false)]
    [InlineData("Gatehouse", false)]
    public void NoiseCategories(string category, bool noise) => Assert.Equal(noise, ProtocolNoiseLoggerFactory.IsNoise(category));

    private sealed class Recorder : ILoggerProvider
    {
        public List<(LogLevel Level, string Category, long Count)> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(Recorder owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var count = state is IReadOnlyList<KeyValuePair<string, object?>> fields && fields.FirstOrDefault(f => f.Key == "Count").Value is long n ? n : 0L;
                owner.Lines.Add((logLevel, category, count));
            }
        }
    }
}
