using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Stands in for the response body while the rest of the pipeline produces a response. The first time the body is
/// touched (write, flush, start, complete) — or when the pipeline returns without touching it — the status and header
/// fields are final, and <c>decide</c> says what happens to the body: stream it on, keep a copy, or discard it so that
/// the cache can answer from its store. Nothing reaches the client before that decision, so the cache can still
/// replace the response; nothing is held back after it, so a miss streams at once.
/// </summary>
internal sealed class ResponseTap : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly Func<ResponseHandling> _decide;
    private readonly long _captureLimit;
    private readonly Func<long?> _expectedLength;
    private readonly Action? _captureAbandoned;
    private ResponseHandling? _handling;
    private CaptureBuffer? _capture;
    private PipeWriter? _writer;

    /// <param name="inner">Where the body goes when it is passed on.</param>
    /// <param name="decide">Called once, when the response head is final.</param>
    /// <param name="captureLimit">The most body bytes copied; past it the copy is dropped.</param>
    /// <param name="expectedLength">Content-Length, if known, to size the copy.</param>
    /// <param name="captureAbandoned">Called when the copy is dropped for passing <paramref name="captureLimit"/>.</param>
    public ResponseTap(IHttpResponseBodyFeature inner, Func<ResponseHandling> decide, long captureLimit, Func<long?> expectedLength, Action? captureAbandoned)
    {
        _inner = inner;
        _decide = decide;
        _captureLimit = captureLimit;
        _captureAbandoned = captureAbandoned;
        _expectedLength = expectedLength;
        Stream = new TapStream(this);
    }

    public Stream Stream { get; }

    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    /// <summary>Whether the body is being passed on (then the response may have started and can no longer be replaced).</summary>
    public bool PassingOn => _handling is { ToClient: true };

    /// <summary>The copied body, or null when none was kept (not asked, or past the limit).</summary>
    public ReadOnlyMemory<byte>? Captured => _capture?.ToMemory();

    /// <summary>Runs <c>decide</c> if it has not run yet.</summary>
    public ResponseHandling Decide()
    {
        if (_handling is { } handling)
        {
            return handling;
        }
        handling = _decide();
        _handling = handling;
        if (handling.Capture)
        {
            var expected = _expectedLength();
            if (expected > _captureLimit)
            {
                _captureAbandoned?.Invoke();
            }
            else
            {
                _capture = new CaptureBuffer(_captureLimit, expected);
            }
        }
        return handling;
    }

    /// <summary>Pushes out what is still buffered in <see cref="Writer"/>, without completing the response.</summary>
    public async Task FlushAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Decide().ToClient)
        {
            await _inner.StartAsync(cancellationToken);
        }
    }

    public async Task CompleteAsync()
    {
        await FlushAsync();
        if (Decide().ToClient)
        {
            await _inner.CompleteAsync();
        }
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var handling = Decide();
        Capture(bytes.Span);
        if (handling.ToClient)
        {
            await _inner.Stream.WriteAsync(bytes, cancellationToken);
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        var handling = Decide();
        Capture(bytes);
        if (handling.ToClient)
        {
            _inner.Stream.Write(bytes);
        }
    }

    /// <summary>Copies the bytes into the capture, and gives the capture up once it passes the limit.</summary>
    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (_capture is not null && !_capture.TryAppend(bytes))
        {
            _capture = null;
            _captureAbandoned?.Invoke();
        }
    }

    private void FlushInner()
    {
        if (Decide().ToClient)
        {
            _inner.Stream.Flush();
        }
    }

    private Task FlushInnerAsync(CancellationToken cancellationToken) =>
        Decide().ToClient ? _inner.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>The write-only stream the pipeline sees as the response body.</summary>
    private sealed class TapStream(ResponseTap tap) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        // Synchronous calls go to the synchronous method below, never wait for an asynchronous one: Kestrel, at the
        // bottom, refuses them (AllowSynchronousIO is off), and no thread blocks on I/O (docs/performance.md).
        public override void Flush() => tap.FlushInner();

        public override Task FlushAsync(CancellationToken cancellationToken) => tap.FlushInnerAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => tap.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => tap.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            tap.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            tap.WriteAsync(buffer, cancellationToken);
    }
}
