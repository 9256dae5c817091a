using System.Buffers;

namespace Gatehouse.Http1;

/// <summary>
/// Collects the field lines of one head or trailer section into one growing byte block, parsing each as it is added.
/// The block is kept across messages on a connection, so a steady stream of heads allocates only the finished copies.
/// </summary>
internal sealed class FieldBlockBuilder
{
    private byte[] _block = new byte[1024];
    private FieldRange[] _fields = new FieldRange[16];
    private int _used;

    public int FieldCount { get; private set; }

    public void Reset()
    {
        _used = 0;
        FieldCount = 0;
    }

    /// <summary>Copies a line (without its CRLF) into the block and returns where it is.</summary>
    public Range Append(ReadOnlySequence<byte> line)
    {
        var length = checked((int)line.Length);
        if (_used + length > _block.Length)
        {
            Array.Resize(ref _block, Math.Max(_block.Length * 2, _used + length));
        }

        line.CopyTo(_block.AsSpan(_used));
        var range = new Range(_used, _used + length);
        _used += length;
        return range;
    }

    public ReadOnlySpan<byte> Span(Range range) => _block.AsSpan(range);

    /// <summary>Appends a field line; a refusal reason, or null.</summary>
    public string? AddField(ReadOnlySequence<byte> line)
    {
        var at = Append(line);
        var error = FieldLine.TryParse(Span(at), out var name, out var value);
        if (error is not null)
        {
            return error;
        }

        var offset = at.Start.Value;
        if (FieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        _fields[FieldCount++] = new FieldRange(
            offset + name.Start.Value, name.End.Value - name.Start.Value,
            offset + value.Start.Value, value.End.Value - value.Start.Value);
        return null;
    }

    /// <summary>A copy that outlives the builder's next message.</summary>
    public HeaderFields Build() => FieldCount == 0 && _used == 0
        ? HeaderFields.Empty
        : new HeaderFields(_block.AsSpan(0, _used).ToArray(), _fields.AsSpan(0, FieldCount).ToArray());
}
