using System.Text;
using System.Threading.Channels;
using Gatehouse.Observability;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Tests.Observability;

public sealed class AccessLogWriterTests
{
    // A guard against a hung test only: every wait below ends on an event well before it.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task LinesQueuedTogether_AreWrittenInOneWrite_WhenTheFlushIntervalHasPassed()
    {
        var time = new TimerWatchingTimeProvider();
        var sink = new RecordingStream();
        var writer = new AccessLogWriter(sink, "combined", TimeSpan.FromMilliseconds(100), time);
        try
        {
            writer.Write("one");
            writer.Write("two");
            writer.Write("three");

            // The pump has taken the lines and now waits for the interval: nothing is written yet.
            await time.TimerCreated.Reader.ReadAsync().AsTask().WaitAsync(Guard);
            Assert.Empty(sink.Writes);

            // Each step lets the pump's current wait end; it then waits again or, once the interval has passed, writes.
            var written = sink.NextWrite();
            while (true)
            {
                var waitsAgain = time.TimerCreated.Reader.ReadAsync().AsTask();
                time.Advance(TimeSpan.FromMilliseconds(50));
                if (await Task.WhenAny(written, waitsAgain).WaitAsync(Guard) == written)
                {
                    break;
                }

                Assert.Empty(sink.Writes);
            }

            Assert.Equal("one\ntwo\nthree\n", await written);
            Assert.True(time.Elapsed >= TimeSpan.FromMilliseconds(100), $"written after {time.Elapsed.TotalMilliseconds} ms");
            Assert.Single(sink.Writes);
        }
        finally
        {
            await writer.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dispose_WritesEveryQueuedLine_WithoutWaitingForTheInterval()
    {
        var time = new TimerWatchingTimeProvider();
        var sink = new RecordingStream();
        var writer = new AccessLogWriter(sink, "combined", TimeSpan.FromHours(1), time);
        for (var i = 0; i < 1000; i++)
        {
            writer.Write($"line {i}");
        }

        await writer.DisposeAsync().AsTask().WaitAsync(Guard);

        var lines = string.Concat(sink.Writes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1000, lines.Length);
        Assert.Equal("line 999", lines[^1]);
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task ZeroInterval_WritesWithoutWaitingForTime()
    {
        var time = new TimerWatchingTimeProvider();
        var sink = new RecordingStream();
        var writer = new AccessLogWriter(sink, "json", TimeSpan.Zero, time);
        try
        {
            var written = sink.NextWrite();
            writer.Write("{\"status\":200}");
            Assert.Equal("{\"status\":200}\n", await written.WaitAsync(Guard));
            Assert.Equal(TimeSpan.Zero, time.Elapsed);
        }
        finally
        {
            await writer.DisposeAsync();
        }
    }

    [Fact]
    public async Task FailedWrites_AreReportedOncePerRun_AndTheWriterGoesOn()
    {
        var time = new TimerWatchingTimeProvider();
        var sink = new RecordingStream { Failing = true };
        var writer = new AccessLogWriter(sink, "combined", TimeSpan.Zero, time);
        var failures = Channel.CreateUnbounded<Exception>();
        writer.WriteFailed += ex => failures.Writer.TryWrite(ex);
        var recovered = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.WriteRecovered += lost => recovered.TrySetResult(lost);
        try
        {
            writer.Write("lost 1");
            var first = await failures.Reader.ReadAsync().AsTask().WaitAsync(Guard);
            Assert.IsType<IOException>(first);

            // Still failing: no second report. Then the disk has room again and lines are written.
            var attempted = sink.NextAttempt();
            writer.Write("lost 2");
            await attempted.WaitAsync(Guard);
            sink.Failing = false;
            var written = sink.NextWrite();
            writer.Write("kept");
            Assert.Equal("kept\n", await written.WaitAsync(Guard));
            Assert.False(failures.Reader.TryRead(out _));
            Assert.Equal(2, await recovered.Task.WaitAsync(Guard));
            Assert.Equal(2, writer.Lost);
        }
        finally
        {
            await writer.DisposeAsync();
        }
    }

    [Fact]
    public async Task EachWrite_HoldsWholeLines_AtMost64KB()
    {
        var time = new TimerWatchingTimeProvider();
        var sink = new RecordingStream();
        var writer = new AccessLogWriter(sink, "combined", TimeSpan.FromHours(1), time);
        var line = new string('x', 999); // 1,000 bytes with its newline: 65 of them fit in 64 KB, the 66th does not
        for (var i = 0; i < 200; i++)
        {
            writer.Write(line);
        }

        writer.Write(new string('y', 100_000)); // longer than the buffer: a write of its own
        await writer.DisposeAsync().AsTask().WaitAsync(Guard);

        Assert.All(sink.Writes, w => Assert.EndsWith("\n", w, StringComparison.Ordinal));
        Assert.Equal([65_000, 65_000, 65_000, 5_000, 100_001], sink.Writes.Select(w => w.Length));
    }

    /// <summary>A fake clock that tells when a timer (the pump's wait) is created.</summary>
    private sealed class TimerWatchingTimeProvider : FakeTimeProvider
    {
        private readonly DateTimeOffset _start;

        public TimerWatchingTimeProvider()
            : base(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero))
        {
            _start = GetUtcNow();
        }

        public Channel<bool> TimerCreated { get; } = Channel.CreateUnbounded<bool>();

        public TimeSpan Elapsed => GetUtcNow() - _start;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.Writer.TryWrite(true);
            return timer;
        }
    }

    /// <summary>A sink that keeps each write as text and can fail like a full disk.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly object _lock = new();
        private readonly List<string> _writes = [];
        private TaskCompletionSource<string>? _nextWrite;
        private TaskCompletionSource? _nextAttempt;

        public bool Failing { get; set; }

        public IReadOnlyList<string> Writes
        {
            get
            {
                lock (_lock)
                {
                    return [.. _writes];
                }
            }
        }

        public Task<string> NextWrite()
        {
            lock (_lock)
            {
                _nextWrite = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _nextWrite.Task;
            }
        }

        public Task NextAttempt()
        {
            lock (_lock)
            {
                _nextAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _nextAttempt.Task;
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_lock)
            {
                var failing = Failing;
                _nextAttempt?.TrySetResult();
                if (failing)
                {
                    throw new IOException("No space left on device");
                }

                var text = Encoding.UTF8.GetString(buffer);
                _writes.Add(text);
                _nextWrite?.TrySetResult(text);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
