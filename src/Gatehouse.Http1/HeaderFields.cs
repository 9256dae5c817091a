using System.Text;

namespace Gatehouse.Http1;

/// <summary>
/// Field lines as they came, in order: names and values are ranges into one byte block, so a head costs two arrays
/// however many fields it has. Names keep their case; values have their surrounding whitespace removed (RFC 9110 §5.5).
/// </summary>
public sealed class HeaderFields
{
    public static HeaderFields Empty { get; } = new([], []);

    private readonly byte[] _block;
    private readonly FieldRange[] _fields;

    internal HeaderFields(byte[] block, FieldRange[] fields)
    {
        _block = block;
        _fields = fields;
    }

    public int Count => _fields.Length;

    public ReadOnlySpan<byte> NameBytes(int index) => _block.AsSpan(_fields[index].NameStart, _fields[index].NameLength);

    public ReadOnlySpan<byte> ValueBytes(int index) => _block.AsSpan(_fields[index].ValueStart, _fields[index].ValueLength);

    internal ReadOnlySpan<byte> Slice(Range range) => _block.AsSpan(range);

    /// <summary>The name as sent; a common name in its usual spelling is a shared string.</summary>
    public string Name(int index) => KnownFieldNames.Get(NameBytes(index));

    /// <summary>The value as Latin-1, which maps every obs-text byte to one char and back.</summary>
    public string Value(int index) => Encoding.Latin1.GetString(ValueBytes(index));

    /// <summary>The values of every field named <paramref name="lowerName"/> (case-insensitive), in order.</summary>
    public IEnumerable<string> Values(string lowerName)
    {
        var name = Encoding.ASCII.GetBytes(lowerName.ToLowerInvariant());
        for (var i = 0; i < Count; i++)
        {
            if (HttpChars.EqualsLowerAscii(NameBytes(i), name))
            {
                yield return Value(i);
            }
        }
    }
}

internal readonly record struct FieldRange(int NameStart, int NameLength, int ValueStart, int ValueLength);
