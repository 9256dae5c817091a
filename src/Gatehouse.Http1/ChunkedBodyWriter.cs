using System.Buffers;
using System.Globalization;

namespace Gatehouse.Http1;

/// <summary>The chunked transfer coding for a request body of unknown length (RFC 9112 §7.1), one chunk per piece.</summary>
public static class ChunkedBodyWriter
{
    /// <summary>Writes one chunk; an empty piece writes nothing, since a zero-size chunk would end the body.</summary>
    public static void WriteChunk(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var size = data.Length.ToString("x", CultureInfo.InvariantCulture);
        var span = output.GetSpan(size.Length + 2 + data.Length + 2);
        var at = 0;
        foreach (var c in size)
        {
            span[at++] = (byte)c;
        }

        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        data.CopyTo(span[at..]);
        at += data.Length;
        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        output.Advance(at);
    }

    /// <summary>The last chunk and an empty trailer section.</summary>
    public static void WriteEnd(IBufferWriter<byte> output)
    {
        "0\r\n\r\n"u8.CopyTo(output.GetSpan(5));
        output.Advance(5);
    }
}
