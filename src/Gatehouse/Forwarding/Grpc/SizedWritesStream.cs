using System.IO.Pipelines;
using Gatehouse.Http;

namespace Gatehouse.Forwarding;

/// <summary>
/// A response body stream over a <see cref="PipeWriter"/> that asks for the room it needs before each write. The
/// grpc-web-text response writer (Grpc.AspNetCore.Web's base64 encoder) hands out no room when asked for "any size",
/// which is what a stream adapter asks for; gRPC services never do, the forwarder's copy loop does. Write-only.
/// </summary>
internal sealed class SizedWritesStream(PipeWriter writer) : Stream
{
    private const int MaxChunk = 16 * 1024;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var chunk = buffer[..Math.Min(buffer.Length, MaxChunk)];
            chunk.Span.CopyTo(writer.GetSpan(chunk.Length));
            writer.Advance(chunk.Length);
            buffer = buffer[chunk.Length..];
        }

        await writer.FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // A pipe cannot be flushed synchronously: as Kestrel's own body with AllowSynchronousIO off, no thread blocks on it.
    public override void Write(byte[] buffer, int offset, int count) => throw SynchronousIo.NotAllowed();

    public override Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken).AsTask();

    public override void Flush() => throw SynchronousIo.NotAllowed();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
