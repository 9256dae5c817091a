namespace Gatehouse.Caching.Middleware;

/// <summary>
/// A copy of a response body as it streams past, up to a limit. Past the limit it gives up and frees what it held, so
/// a large body costs nothing more than streaming it.
/// </summary>
internal sealed class CaptureBuffer
{
    private readonly long _limit;
    private byte[] _data;
    private int _length;

    /// <param name="limit">The most bytes kept.</param>
    /// <param name="expectedLength">Content-Length when known: the buffer starts at that size and never grows.</param>
    public CaptureBuffer(long limit, long? expectedLength)
    {
        _limit = Math.Min(limit, Array.MaxLength);
        _data = expectedLength is { } length && length <= _limit ? new byte[length] : new byte[(int)Math.Min(_limit, 16 * 1024)];
    }

    /// <summary>Copies <paramref name="bytes"/>; false (and the buffer is dropped) when that would pass the limit.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes)
    {
        if (_length + (long)bytes.Length > _limit)
        {
            _data = [];
            return false;
        }
        if (_length + bytes.Length > _data.Length)
        {
            var grown = new byte[(int)Math.Min(_limit, Math.Max(_data.Length * 2L, _length + (long)bytes.Length))];
            _data.AsSpan(0, _length).CopyTo(grown);
            _data = grown;
        }
        bytes.CopyTo(_data.AsSpan(_length));
        _length += bytes.Length;
        return true;
    }

    /// <summary>The bytes copied, in an array of exactly that size (what a store accounts for).</summary>
    public ReadOnlyMemory<byte> ToMemory() => _length == _data.Length ? _data : _data.AsSpan(0, _length).ToArray();
}
