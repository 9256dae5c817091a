using System.Buffers;

namespace Gatehouse.Http1;

internal enum LineScan
{
    Found,
    NeedMoreData,
    TooLong,
    BareLineFeed,
}

/// <summary>Finds the next CRLF-terminated line, within a byte budget. Only CRLF ends a line.</summary>
internal static class LineScanner
{
    /// <summary>
    /// Looks for a line at the start of <paramref name="input"/> that fits in <paramref name="budget"/> bytes with its
    /// CRLF. RFC 9112 §2.2 lets a recipient accept a bare LF as a line end; a backend that sends one is either broken
    /// or probing for a parser that splits lines differently from the next hop, so it is refused. A bare CR inside
    /// the line is left for the line's own rules, which refuse it everywhere.
    /// </summary>
    /// <param name="searched">Bytes at the start of <paramref name="input"/> already known to hold no LF (a partial line seen
    /// by an earlier call), so that a backend trickling a long line byte by byte costs linear time, not quadratic.</param>
    public static LineScan Next(ReadOnlySequence<byte> input, long searched, long budget, out ReadOnlySequence<byte> line, out long lineBytes)
    {
        line = default;
        lineBytes = 0;
        var lf = input.Slice(searched).PositionOf((byte)'\n');
        if (lf is null)
        {
            // The line, when it ends, is at least one byte longer than what is here: refusing now gives the same
            // answer as refusing once the LF arrives, however the bytes are split.
            return input.Length + 1 > budget ? LineScan.TooLong : LineScan.NeedMoreData;
        }

        var withoutLf = input.Slice(0, lf.Value);
        lineBytes = withoutLf.Length + 1;
        if (lineBytes > budget)
        {
            return LineScan.TooLong;
        }

        if (withoutLf.IsEmpty || LastByte(withoutLf) != (byte)'\r')
        {
            return LineScan.BareLineFeed;
        }

        line = withoutLf.Slice(0, withoutLf.Length - 1);
        return LineScan.Found;
    }

    private static byte LastByte(ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan[^1];
        }

        return sequence.Slice(sequence.Length - 1).FirstSpan[0];
    }
}
