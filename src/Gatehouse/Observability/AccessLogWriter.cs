using System.Text;
using System.Threading.Channels;
using Gatehouse.Configuration;

namespace Gatehouse.Observability;

/// <summary>
/// Writes access log lines on a background task so requests never wait on the disk or the terminal. Lines gather in a
/// 64 KB buffer that is written when it is full and at the latest <c>flushInterval</c> after its first line (nginx's
/// <c>access_log … buffer=64k flush=…</c>), so a busy proxy makes a few writes per second instead of one per request.
/// When the queue is full (the sink is slower than the traffic) lines are dropped and counted rather than slowing the
/// proxy. A failed write (disk full, closed stdout) loses what the buffer held and raises <see cref="WriteFailed"/> once
/// per run of failures; the writer goes on with the next lines.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private const int BufferChars = 64 * 1024;

    /// <summary>How often the queue is moved into the buffer while a flush is pending: bounds what waits in the queue.</summary>
    private static readonly TimeSpan DrainSlice = TimeSpan.FromMilliseconds(50);

    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(65_536)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly StreamWriter _sink;
    private readonly TimeSpan _flushInterval;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private long _dropped;
    private bool _failing;

    public AccessLogWriter(AccessLogDefinition definition)
        : this(OpenSink(definition.Path), definition.Format, definition.FlushInterval.Value ?? TimeSpan.Zero, TimeProvider.System)
    {
    }

    internal AccessLogWriter(Stream sink, string format, TimeSpan flushInterval, TimeProvider time)
    {
        _sink = new StreamWriter(sink, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), BufferChars) { AutoFlush = false };
        Format = format;
        _flushInterval = flushInterval;
        _time = time;
        _pump = Task.Run(PumpAsync);
    }

    public string Format { get; }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>A write to the sink failed, the first time after a success (or ever): the pump's thread raises it.</summary>
    public event Action<Exception>? WriteFailed;

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

        // No FileStream buffer: the StreamWriter's is the only one, and a flush is one write(2).
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
            try
            {
                await _sink.FlushAsync();
                _failing = false;
            }
            catch (Exception ex) when (IsSinkFailure(ex))
            {
                Failed(ex);
            }
        }
    }

    /// <summary>
    /// Moves the queued lines into the buffer, which writes itself out each time it fills. When the sink refuses that
    /// write, what the buffer held is gone (StreamWriter empties it first); only a flush that gets through shows the
    /// sink works again.
    /// </summary>
    private async Task DrainAsync(ChannelReader<string> reader)
    {
        while (reader.TryRead(out var line))
        {
            try
            {
                await _sink.WriteLineAsync(line);
            }
            catch (Exception ex) when (IsSinkFailure(ex))
            {
                Failed(ex);
            }
        }
    }

    private static bool IsSinkFailure(Exception ex) => ex is IOException or UnauthorizedAccessException;

    private void Failed(Exception ex)
    {
        if (!_failing)
        {
            _failing = true;
            WriteFailed?.Invoke(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _pump;
        try
        {
            await _sink.DisposeAsync();
        }
        catch (IOException)
        {
            // Nothing is left to write that the pump has not already reported.
        }

        _stopping.Dispose();
    }
}
