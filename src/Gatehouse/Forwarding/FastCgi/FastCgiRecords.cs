using System.Buffers.Binary;
using System.Text;

namespace Gatehouse.Forwarding;

/// <summary>The FastCGI 1.0 record types Gatehouse sends and reads (FastCGI specification §8).</summary>
public enum FastCgiRecordType : byte
{
    BeginRequest = 1,
    AbortRequest = 2,
    EndRequest = 3,
    Params = 4,
    Stdin = 5,
    Stdout = 6,
    Stderr = 7,
    Data = 8,
    GetValues = 9,
    GetValuesResult = 10,
    UnknownType = 11,
}

/// <summary>A record's 8-byte header: version, type, request id, content length and padding length.</summary>
public readonly record struct FastCgiRecordHeader(FastCgiRecordType Type, ushort RequestId, ushort ContentLength, byte PaddingLength)
{
    public const int Size = 8;

    /// <summary>The header in <paramref name="bytes"/>; false when it is not FastCGI version 1.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out FastCgiRecordHeader header)
    {
        header = default;
        if (bytes.Length < Size || bytes[0] != FastCgiRecords.Version)
        {
            return false;
        }

        header = new((FastCgiRecordType)bytes[1], BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]), bytes[6]);
        return true;
    }
}

/// <summary>
/// FastCGI's framing, pure: records with their padding, the BEGIN_REQUEST body, name-value pairs for PARAMS, the
/// END_REQUEST body. Every writer appends to a buffer the caller sends.
/// </summary>
public static class FastCgiRecords
{
    public const byte Version = 1;
    public const ushort ResponderRole = 1;
    public const int MaxContentLength = ushort.MaxValue;

    /// <summary>END_REQUEST's protocol status (§5.5).</summary>
    public const byte RequestComplete = 0;
    public const byte CannotMultiplex = 1;
    public const byte Overloaded = 2;
    public const byte UnknownRole = 3;

    /// <summary>One record; content longer than 65535 bytes is the caller's to split (<see cref="WriteStream"/> does).</summary>
    public static void WriteRecord(List<byte> output, FastCgiRecordType type, ushort requestId, ReadOnlySpan<byte> content)
    {
        if (content.Length > MaxContentLength)
        {
            throw new ArgumentOutOfRangeException(nameof(content), "a record holds at most 65535 bytes");
        }

        // Padding to a multiple of 8, as the specification recommends for the receiver's alignment.
        var padding = (byte)((8 - (content.Length % 8)) % 8);
        Span<byte> header = stackalloc byte[FastCgiRecordHeader.Size];
        header[0] = Version;
        header[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], requestId);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)content.Length);
        header[6] = padding;
        header[7] = 0;
        output.AddRange(header);
        output.AddRange(content);
        for (var i = 0; i < padding; i++)
        {
            output.Add(0);
        }
    }

    /// <summary>
    /// A record's header in <paramref name="destination"/> (8 bytes) for <paramref name="contentLength"/> bytes of
    /// content; returns the padding that follows the content.
    /// </summary>
    public static int WriteHeader(Span<byte> destination, FastCgiRecordType type, ushort requestId, int contentLength)
    {
        var padding = (8 - (contentLength % 8)) % 8;
        destination[0] = Version;
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], requestId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)contentLength);
        destination[6] = (byte)padding;
        destination[7] = 0;
        return padding;
    }

    /// <summary>A stream's bytes as records of at most 65535 bytes each; an empty <paramref name="content"/> writes the stream's end.</summary>
    public static void WriteStream(List<byte> output, FastCgiRecordType type, ushort requestId, ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            WriteRecord(output, type, requestId, []);
            return;
        }

        while (!content.IsEmpty)
        {
            var n = Math.Min(content.Length, MaxContentLength);
            WriteRecord(output, type, requestId, content[..n]);
            content = content[n..];
        }
    }

    /// <summary>BEGIN_REQUEST for the responder role; <paramref name="keepConnection"/> asks the server to leave the connection open after it.</summary>
    public static void WriteBeginRequest(List<byte> output, ushort requestId, bool keepConnection)
    {
        Span<byte> body = stackalloc byte[8];
        body.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(body, ResponderRole);
        body[2] = keepConnection ? (byte)1 : (byte)0;
        WriteRecord(output, FastCgiRecordType.BeginRequest, requestId, body);
    }

    /// <summary>
    /// Name-value pairs (§3.4): each length in one byte below 128, else in four with the high bit set. Names and values
    /// are sent as UTF-8 bytes (CGI variables are octets; PHP hands them to scripts as they are).
    /// </summary>
    public static byte[] EncodeParams(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var output = new List<byte>(1024);
        Span<byte> length = stackalloc byte[4];
        foreach (var (name, value) in parameters)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            WriteLength(output, nameBytes.Length, length);
            WriteLength(output, valueBytes.Length, length);
            output.AddRange(nameBytes);
            output.AddRange(valueBytes);
        }

        return output.ToArray();
    }

    /// <summary>The pairs in a PARAMS (or GET_VALUES_RESULT) stream; false when a length runs past the end.</summary>
    public static bool TryDecodeParams(ReadOnlySpan<byte> bytes, out List<KeyValuePair<string, string>> parameters)
    {
        parameters = [];
        while (!bytes.IsEmpty)
        {
            if (!TryReadLength(ref bytes, out var nameLength) || !TryReadLength(ref bytes, out var valueLength)
                || (long)nameLength + valueLength > bytes.Length)
            {
                return false;
            }

            parameters.Add(KeyValuePair.Create(Encoding.UTF8.GetString(bytes[..nameLength]), Encoding.UTF8.GetString(bytes.Slice(nameLength, valueLength))));
            bytes = bytes[(nameLength + valueLength)..];
        }

        return true;
    }

    /// <summary>END_REQUEST's body: the application's exit status and the protocol status.</summary>
    public static bool TryReadEndRequest(ReadOnlySpan<byte> content, out int appStatus, out byte protocolStatus)
    {
        appStatus = 0;
        protocolStatus = 0;
        if (content.Length < 8)
        {
            return false;
        }

        appStatus = BinaryPrimitives.ReadInt32BigEndian(content);
        protocolStatus = content[4];
        return true;
    }

    private static void WriteLength(List<byte> output, int length, Span<byte> scratch)
    {
        if (length < 128)
        {
            output.Add((byte)length);
            return;
        }

        BinaryPrimitives.WriteUInt32BigEndian(scratch, (uint)length | 0x8000_0000u);
        output.AddRange(scratch);
    }

    private static bool TryReadLength(ref ReadOnlySpan<byte> bytes, out int length)
    {
        length = 0;
        if (bytes.IsEmpty)
        {
            return false;
        }

        if (bytes[0] < 128)
        {
            length = bytes[0];
            bytes = bytes[1..];
            return true;
        }

        if (bytes.Length < 4)
        {
            return false;
        }

        length = (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes) & 0x7FFF_FFFF);
        bytes = bytes[4..];
        return true;
    }
}
