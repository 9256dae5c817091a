namespace Gatehouse.Protection;

/// <summary>A read-only stream of the bytes already buffered, then the rest of the client's body as it arrives.</summary>
internal sealed class PrefixedStream(MemoryStream head, Stream rest) : ReadOnlyBodyStream
{
    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = head.Read(buffer, offset, count);
        return read > 0 ? read : rest.Read(buffer, offset, count);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = head.Read(buffer.Span);
        return read > 0 ? read : await rest.ReadAsync(buffer, cancellationToken);
    }
}
