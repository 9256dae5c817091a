using System.Text;
using System.Threading.Channels;
using Gatehouse.Configuration;

namespace Gatehouse.Observability;

/// <summary>
/// Writes access log lines on a background task so requests never wait on the disk or the terminal. Lines gather in a
/// 64 KB buffer that is written when the next line would not fit and at the latest <c>flushInterval</c> after its first
/// line (nginx's <c>access_log … buffer=64k flush=…</c>), so a busy proxy makes a few writes per second instead of one
/// per request. A write holds whole lines only, so a line is never split between a write that got through and one
/// that did not. When the queue is full (the sink is slower than the traffic) lines are dropped and counted
/// (<see cref="Dropped"/>) rather than slowing the proxy.
/// </summary>
/// <remarks>
/// A failed write (disk full, closed stdout) loses the lines it held: they are counted (<see cref="Lost"/>), a file is
/// cut back to where the write began (a full disk can take part of a write before it refuses the rest, and the next
/// line must not be glued to that fragment), <see cref="WriteFailed"/> is raised once per run of failures, and the
/// first write that gets through again raises <see cref="WriteRecovered"/> with the number of lines lost meanwhile.
/// </remarks>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>How often the queue is moved into the buffer while a flush is pending: bounds what waits in the queue.</summary>
    private static readonly TimeSpan DrainSlice = TimeSpan.FromMilliseconds(50);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(65_536)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly Stream _sink;
    private readonly byte[] _buffer = new byte[BufferBytes];
    private readonly TimeSpan _flushInterval;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private int _bufferedBytes;
    private int _bufferedLines;
    private long _dropped;
    private long _lost;
    private long _lostWhileFailing;
    private bool _failing;

    public AccessLogWriter(AccessLogDefinition definition)
        : this(OpenSink(definition.Path), definition.Format, definition.FlushInterval.Value ?? TimeSpan.Zero, TimeProvider.System)
    {
    }

    internal AccessLogWriter(Stream sink, string format, TimeSpan flushInterval, TimeProvider time)
    {
        _sink = sink;
        Format = format;
        _flushInterval = flushInterval;
        _time = time;
        _pump = Task.Run(PumpAsync);
    }

    public string Format { get; }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines lost because the write that held them failed.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>A write to the sink failed, the first time after a success (or ever): the pump's thread raises it.</summary>
    public event Action<Exception>? WriteFailed;

    /// <summary>A write got through after failures; the argument is the lines lost meanwhile. The pump's thread raises it.</summary>
    public event Action<long>? WriteRecovered;

    public void Write(string line)
    {
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private static Stream OpenSink(string path)
    {
        if (string.Equals(path, "stdout", StringComparison.OrdinalIgnoreCase))
        {
            return Console.OpenStandardOutput();
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // No FileStream buffer: the writer's is the only one, and a batch is one write(2).
        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
    }

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            var firstLineAt = _time.GetTimestamp();
            while (true)
            {
                await DrainAsync(reader);
                var left = _flushInterval - _time.GetElapsedTime(firstLineAt);
                if (left <= TimeSpan.Zero || _stopping.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    await Task.Delay(left < DrainSlice ? left : DrainSlice, _time, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: write what is queued now.
                }
            }

            await DrainAsync(reader);
            await WriteBufferAsync();
        }
    }

    /// <summary>Moves the queued lines into the buffer, writing it out whenever the next line would not fit.</summary>
    private async Task DrainAsync(ChannelReader<string> reader)
    {
        while (reader.TryRead(out var line))
        {
            var length = Utf8.GetByteCount(line) + 1;
            if (_bufferedBytes + length > BufferBytes)
            {
                await WriteBufferAsync();
            }

            if (length > BufferBytes)
            {
                // A line longer than the buffer (a huge URI) goes out in a write of its own.
                var bytes = new byte[length];
                Utf8.GetBytes(line, bytes);
                bytes[^1] = (byte)'\n';
                await WriteOutAsync(bytes, lines: 1);
                continue;
            }

            _bufferedBytes += Utf8.GetBytes(line, _buffer.AsSpan(_bufferedBytes));
            _buffer[_bufferedBytes++] = (byte)'\n';
            _bufferedLines++;
        }
    }

    private async Task WriteBufferAsync()
    {
        if (_bufferedLines > 0)
        {
            await WriteOutAsync(_buffer.AsMemory(0, _bufferedBytes), _bufferedLines);
            _bufferedBytes = 0;
            _bufferedLines = 0;
        }
    }

    private async Task WriteOutAsync(ReadOnlyMemory<byte> bytes, int lines)
    {
        var file = _sink as FileStream;
        var start = file is { CanSeek: true } ? file.Position : -1;
        try
        {
            await _sink.WriteAsync(bytes);
            await _sink.FlushAsync();
        }
        catch (Exception ex) when (IsSinkFailure(ex))
        {
            Interlocked.Add(ref _lost, lines);
            _lostWhileFailing += lines;
            if (start >= 0)
            {
                CutBackTo(file!, start);
            }

            if (!_failing)
            {
                _failing = true;
                WriteFailed?.Invoke(ex);
            }

            return;
        }

        if (_failing)
        {
            _failing = false;
            var lost = _lostWhileFailing;
            _lostWhileFailing = 0;
            WriteRecovered?.Invoke(lost);
        }
    }

    /// <summary>
    /// Drops what a failed write left after <paramref name="start"/> (the fragment a full disk took) and writes from
    /// there next. Truncating needs no free space, so it works on the full disk that caused the failure.
    /// </summary>
    private static void CutBackTo(FileStream file, long start)
    {
        try
        {
            file.SetLength(start);
            file.Position = start;
        }
        catch (Exception ex) when (IsSinkFailure(ex))
        {
            // The file is gone or refuses even this: the next write reports the failure again.
        }
    }

    private static bool IsSinkFailure(Exception ex) => ex is IOException or UnauthorizedAccessException;

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _pump;
        try
        {
            await _sink.DisposeAsync();
        }
        catch (Exception ex) when (IsSinkFailure(ex))
        {
            // Nothing is left to write that the pump has not already reported.
        }

        _stopping.Dispose();
    }
}
