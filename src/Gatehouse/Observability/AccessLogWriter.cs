using System.Threading.Channels;
using Gatehouse.Configuration;

namespace Gatehouse.Observability;

/// <summary>
/// Writes access log lines on a background task so requests never wait on the disk or the terminal. When the queue is
/// full (the sink is slower than the traffic) lines are dropped and counted rather than slowing the proxy.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(65_536)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly TextWriter _sink;
    private readonly bool _ownsSink;
    private readonly Task _pump;
    private long _dropped;

    public AccessLogWriter(AccessLogDefinition definition)
    {
        if (string.Equals(definition.Path, "stdout", StringComparison.OrdinalIgnoreCase))
        {
            _sink = Console.Out;
        }
        else
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(definition.Path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            _sink = new StreamWriter(new FileStream(definition.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024));
            _ownsSink = true;
        }

        Format = definition.Format;
        _pump = Task.Run(PumpAsync);
    }

    public string Format { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Write(string line)
    {
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var line))
            {
                await _sink.WriteLineAsync(line);
            }

            await _sink.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
        if (_ownsSink)
        {
            await _sink.DisposeAsync();
        }
    }
}
