namespace Gatehouse.Http;

/// <summary>
/// A request body whose first bytes were already read (buffered to check its framing, or copied to a mirror) and
/// whose rest is still in the client's stream: the forwarder reads the prefix, then the rest, as if nothing had been
/// read.
/// </summary>
internal sealed class PrefixedBodyStream(ReadOnlyMemory<byte> prefix, Stream rest) : ReadOnlyBodyStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => _prefix.IsEmpty ? rest.Read(buffer) : CopyPrefix(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _prefix.IsEmpty ? rest.ReadAsync(buffer, cancellationToken) : new(CopyPrefix(buffer.Span));

    private int CopyPrefix(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }
}
