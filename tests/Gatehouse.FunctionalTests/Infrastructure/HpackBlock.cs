namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// A hand-made HPACK header block (RFC 7541), for what an encoder would never write: entries added to the dynamic table
/// and referenced a thousand times (a "bomb": a small block that decodes to megabytes), table size updates above what
/// the server allowed, fields larger than any limit.
/// </summary>
public sealed class HpackBlock
{
    private readonly MemoryStream _bytes = new();

    public int Length => (int)_bytes.Length;

    /// <summary>Literal without indexing, new name (§6.2.2).</summary>
    public HpackBlock Literal(string name, string value)
    {
        _bytes.WriteByte(0x00);
        H2FrameClient.WriteString(_bytes, name);
        H2FrameClient.WriteString(_bytes, value);
        return this;
    }

    /// <summary>Literal with incremental indexing, new name (§6.2.1): the field enters the dynamic table at index 62.</summary>
    public HpackBlock Indexed(string name, string value)
    {
        _bytes.WriteByte(0x40);
        H2FrameClient.WriteString(_bytes, name);
        H2FrameClient.WriteString(_bytes, value);
        return this;
    }

    /// <summary>Indexed field (§6.1): one or two bytes that stand for a whole table entry.</summary>
    public HpackBlock Reference(int index)
    {
        H2FrameClient.WriteInteger(_bytes, index, 7, 0x80);
        return this;
    }

    /// <summary>Dynamic table size update (§6.3); above SETTINGS_HEADER_TABLE_SIZE it is a COMPRESSION_ERROR (§4.2).</summary>
    public HpackBlock TableSizeUpdate(int size)
    {
        H2FrameClient.WriteInteger(_bytes, size, 5, 0x20);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();
}
