using System.Buffers.Binary;

namespace Gatehouse.Protection.Http2Frames;

/// <summary>One HTTP/2 frame header (RFC 9113 §4.1): what the frame guard needs to know of a frame, never its payload.</summary>
public readonly record struct Http2FrameHeader(byte Type, byte Flags, int StreamId, int Length)
{
    public const byte Data = 0x0, Headers = 0x1, Priority = 0x2, RstStream = 0x3, Settings = 0x4, PushPromise = 0x5, Ping = 0x6,
        GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;

    /// <summary>END_STREAM on DATA and HEADERS, ACK on SETTINGS and PING (the same bit, RFC 9113 §6).</summary>
    public const byte EndStreamOrAck = 0x1;

    /// <summary>END_HEADERS on HEADERS and CONTINUATION.</summary>
    public const byte EndHeaders = 0x4;

    public const int Size = 9;

    public bool Has(byte flag) => (Flags & flag) != 0;
}

/// <summary>
/// Finds the frame headers in one direction of an HTTP/2 connection, fed its bytes chunk by chunk as they pass: 9 bytes
/// of each frame are read (and may span chunks), payloads are skipped, never copied, so HPACK state and flow control are
/// untouched. The client direction starts with the 24-byte connection preface (RFC 9113 §3.4), which is skipped unread;
/// Kestrel checks it. Not thread-safe: one direction, one caller at a time.
/// </summary>
public sealed class Http2FrameScanner
{
    /// <summary>The client connection preface's length: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".</summary>
    public const int ClientPrefaceLength = 24;

    private readonly byte[] _header = new byte[Http2FrameHeader.Size];
    private int _prefaceLeft;
    private int _headerFilled;
    private int _payloadLeft;

    /// <param name="clientDirection">True for the bytes a client sends (they start with the preface).</param>
    public Http2FrameScanner(bool clientDirection) => _prefaceLeft = clientDirection ? ClientPrefaceLength : 0;

    /// <summary>The frame whose payload comes next (valid after <see cref="Step"/> returned a header, until the payload ends).</summary>
    public Http2FrameHeader Current { get; private set; }

    /// <summary>How many bytes of <see cref="Current"/>'s payload have gone by.</summary>
    public int PayloadOffset => Current.Length - _payloadLeft;

    /// <summary>Whether the next byte belongs to <see cref="Current"/>'s payload.</summary>
    public bool InPayload => _payloadLeft > 0;

    /// <summary>Whether the bytes so far end exactly between two frames (after the preface).</summary>
    public bool AtFrameBoundary => _prefaceLeft == 0 && _headerFilled == 0 && _payloadLeft == 0;

    /// <summary>
    /// Goes over the start of <paramref name="data"/>: the rest of a payload or preface, or up to the end of the next
    /// frame header. Returns how many bytes it went over (at least one when <paramref name="data"/> is not empty);
    /// <paramref name="header"/> is set when a frame header ended there.
    /// </summary>
    public int Step(ReadOnlySpan<byte> data, out Http2FrameHeader? header)
    {
        header = null;
        if (data.IsEmpty)
        {
            return 0;
        }

        if (_prefaceLeft > 0)
        {
            var skip = Math.Min(_prefaceLeft, data.Length);
            _prefaceLeft -= skip;
            return skip;
        }

        if (_payloadLeft > 0)
        {
            var skip = Math.Min(_payloadLeft, data.Length);
            _payloadLeft -= skip;
            return skip;
        }

        var take = Math.Min(Http2FrameHeader.Size - _headerFilled, data.Length);
        ReadOnlySpan<byte> bytes;
        if (_headerFilled == 0 && take == Http2FrameHeader.Size)
        {
            bytes = data[..Http2FrameHeader.Size];
        }
        else
        {
            data[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            if (_headerFilled < Http2FrameHeader.Size)
            {
                return take;
            }

            _headerFilled = 0;
            bytes = _header;
        }

        var length = (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
        var frame = new Http2FrameHeader(bytes[3], bytes[4], (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]) & 0x7FFF_FFFF), length);
        Current = frame;
        _payloadLeft = length;
        header = frame;
        return take;
    }
}
