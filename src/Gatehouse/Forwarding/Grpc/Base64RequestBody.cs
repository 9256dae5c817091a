using System.Buffers;
using System.Buffers.Text;
using Gatehouse.Http;

namespace Gatehouse.Forwarding;

/// <summary>
/// A grpc-web-text request body, decoded as it is read: base64 in 4-character quanta, where each quantum may end in
/// padding (a client may send several separately encoded chunks one after the other, gRPC's PROTOCOL-WEB.md).
/// Read-only, forward-only. Invalid base64 ends the read with an <see cref="IOException"/>, which the forwarder reports
/// as the client's body failing.
/// </summary>
internal sealed class Base64RequestBody(Stream encoded) : Stream
{
    private readonly byte[] _input = new byte[16 * 1024];
    private int _carried; // 0-3 characters of an unfinished quantum, at the start of _input

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // As Kestrel's own request body with AllowSynchronousIO off: no thread blocks on the read below.
    public override int Read(byte[] buffer, int offset, int count) => throw SynchronousIo.NotAllowed();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            // Never read more than decodes into the caller's buffer: 4 characters give at most 3 bytes.
            var room = Math.Min(_input.Length - _carried, (buffer.Length / 3 * 4) - _carried);
            room = Math.Max(room, 4 - _carried);
            var read = await encoded.ReadAsync(_input.AsMemory(_carried, room), cancellationToken);
            if (read == 0)
            {
                return _carried == 0 ? 0 : throw new IOException("grpc-web-text body ends inside a base64 quantum");
            }

            var available = _carried + read;
            var whole = available / 4 * 4;
            var written = Decode(_input.AsSpan(0, whole), buffer.Span);
            _carried = available - whole;
            _input.AsSpan(whole, _carried).CopyTo(_input);
            if (written > 0)
            {
                return written;
            }
        }
    }

    /// <summary>Decodes whole quanta one padded run at a time (a quantum with '=' ends a run).</summary>
    private static int Decode(ReadOnlySpan<byte> quanta, Span<byte> output)
    {
        var written = 0;
        while (!quanta.IsEmpty)
        {
            var end = 0;
            while (end < quanta.Length && quanta[end + 3] != (byte)'=')
            {
                end += 4;
            }

            end = Math.Min(end + 4, quanta.Length);
            if (Base64.DecodeFromUtf8(quanta[..end], output[written..], out var consumed, out var produced) != OperationStatus.Done || consumed != end)
            {
                throw new IOException("grpc-web-text body is not base64");
            }

            written += produced;
            quanta = quanta[end..];
        }

        return written;
    }

    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
