using System.Buffers.Binary;
using System.Text;

namespace Gatehouse.Health;

/// <summary>
/// The two messages of grpc.health.v1 (health.proto), written and read by hand: Gatehouse sends one string field and
/// reads one enum, which does not justify a protobuf runtime. Framing is gRPC's length-prefixed message: one flag byte
/// (0, uncompressed), a 4-byte big-endian length, the message. Pure.
/// </summary>
public static class GrpcHealthMessages
{
    public const string CheckPath = "/grpc.health.v1.Health/Check";

    /// <summary>HealthCheckResponse.ServingStatus.SERVING.</summary>
    private const ulong Serving = 1;

    /// <summary>A framed HealthCheckRequest { string service = 1; } (an empty service is the default value, left out).</summary>
    public static byte[] Request(string service)
    {
        var name = Encoding.UTF8.GetBytes(service);
        var message = new List<byte>(name.Length + 6);
        if (name.Length > 0)
        {
            message.Add(0x0A); // field 1, wire type 2 (length-delimited)
            WriteVarint(message, (ulong)name.Length);
            message.AddRange(name);
        }

        var framed = new byte[5 + message.Count];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Count);
        message.CopyTo(framed, 5);
        return framed;
    }

    /// <summary>
    /// Whether a response body holds one uncompressed HealthCheckResponse { ServingStatus status = 1; } saying SERVING.
    /// Anything else (no message, a compressed one, trailing bytes, another status) is not healthy.
    /// </summary>
    public static bool IsServing(ReadOnlySpan<byte> body)
    {
        if (body.Length < 5 || body[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(body[1..]) != body.Length - 5)
        {
            return false;
        }

        var message = body[5..];
        var status = 0UL; // proto3: an absent field is its default, UNKNOWN
        while (!message.IsEmpty)
        {
            if (!TryReadVarint(ref message, out var tag))
            {
                return false;
            }

            switch (tag & 7)
            {
                case 0 when TryReadVarint(ref message, out var value):
                    if (tag >> 3 == 1)
                    {
                        status = value;
                    }

                    break;
                case 2 when TryReadVarint(ref message, out var length) && length <= (ulong)message.Length:
                    message = message[(int)length..];
                    break;
                case 1 when message.Length >= 8:
                    message = message[8..];
                    break;
                case 5 when message.Length >= 4:
                    message = message[4..];
                    break;
                default:
                    return false;
            }
        }

        return status == Serving;
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }

    private static bool TryReadVarint(ref ReadOnlySpan<byte> input, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 10 && i < input.Length; i++)
        {
            value |= (ulong)(input[i] & 0x7F) << (7 * i);
            if ((input[i] & 0x80) == 0)
            {
                input = input[(i + 1)..];
                return true;
            }
        }

        return false;
    }
}
