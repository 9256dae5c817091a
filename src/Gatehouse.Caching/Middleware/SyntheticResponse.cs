using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// The response side of a background refresh's synthetic request: it has no client, so the body goes nowhere (the
/// cache's <see cref="ResponseTap"/> keeps its copy), but it behaves like a server's response for the components the
/// request passes through: <see cref="HasStarted"/> turns true and the OnStarting callbacks run (last registered
/// first) when the body is first touched, and the OnCompleted callbacks run at the end.
/// </summary>
internal sealed class SyntheticResponse : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly Stack<(Func<object, Task> Callback, object State)> _onStarting = new();
    private readonly Stack<(Func<object, Task> Callback, object State)> _onCompleted = new();
    private PipeWriter? _writer;

    public SyntheticResponse()
    {
        Stream = new SinkStream(this);
    }

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    [Obsolete("Use IHttpResponseBodyFeature.Stream.")]
    public Stream Body { get => Stream; set => throw new NotSupportedException(); }

    public bool HasStarted { get; private set; }

    public Stream Stream { get; }

    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    public void OnStarting(Func<object, Task> callback, object state) => _onStarting.Push((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Push((callback, state));

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }
        while (_onStarting.TryPop(out var entry))
        {
            await entry.Callback(entry.State);
        }
        HasStarted = true;
    }

    public async Task CompleteAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }
        await StartAsync();
    }

    /// <summary>Runs the OnCompleted callbacks; called once the refresh is over.</summary>
    public async Task RunCompletedCallbacksAsync()
    {
        while (_onCompleted.TryPop(out var entry))
        {
            await entry.Callback(entry.State);
        }
    }

    public void DisableBuffering()
    {
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    /// <summary>Accepts and drops the body, starting the response on first use.</summary>
    private sealed class SinkStream(SyntheticResponse response) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        // As Kestrel's own body with AllowSynchronousIO off: no thread blocks on the OnStarting callbacks.
        public override void Flush() => throw new InvalidOperationException("Synchronous I/O is not allowed here; use the asynchronous method.");

        public override Task FlushAsync(CancellationToken cancellationToken) => response.StartAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Flush();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => response.StartAsync(cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => new(response.StartAsync(cancellationToken));
    }
}
