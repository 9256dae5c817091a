using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Gatehouse.ProxyProtocol;

/// <summary>
/// The binary header (spec 2.2): the 12-byte signature, version 2 with command LOCAL or PROXY, family and transport,
/// a length, then the addresses and TLVs that length covers. Every length is checked against what it must hold: the
/// address block against the family's size, each TLV (and each PP2_TYPE_SSL sub-TLV) against the bytes left, and a
/// PP2_TYPE_CRC32C against the header's checksum.
/// </summary>
internal static class ProxyV2Parser
{
    public static ReadOnlySpan<byte> Signature => "\r\n\r\n\0\r\nQUIT\n"u8;

    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> input, int maxPayload, out ProxyHeader? header, out int consumed)
    {
        header = null;
        consumed = 0;
        var signatureLength = Math.Min(input.Length, Signature.Length);
        if (!input[..signatureLength].SequenceEqual(Signature[..signatureLength]))
        {
            return ProxyParseStatus.Invalid;
        }

        if (input.Length > 12 && (input[12] >> 4 != 2 || (input[12] & 0x0F) > 1))
        {
            return ProxyParseStatus.Invalid;
        }

        if (input.Length > 13 && (input[13] >> 4 > 3 || (input[13] & 0x0F) > 2))
        {
            return ProxyParseStatus.Invalid;
        }

        if (input.Length < ProxyHeaderParser.V2FixedLength)
        {
            return ProxyParseStatus.NeedMoreData;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(input[14..16]);
        if (length > maxPayload)
        {
            return ProxyParseStatus.Invalid;
        }

        var total = ProxyHeaderParser.V2FixedLength + length;
        if (input.Length < total)
        {
            return ProxyParseStatus.NeedMoreData;
        }

        var command = (input[12] & 0x0F) == 1 ? ProxyCommand.Proxy : ProxyCommand.Local;
        var family = (ProxyAddressFamily)(input[13] >> 4);
        var transport = (ProxyTransport)(input[13] & 0x0F);
        if (command == ProxyCommand.Local)
        {
            // The spec: the receiver uses the connection's own addresses and discards the block, family included.
            header = new ProxyHeader(2, command, family, transport, null, null, []);
            consumed = total;
            return ProxyParseStatus.Done;
        }

        var payload = input[ProxyHeaderParser.V2FixedLength..total];
        var addressLength = family switch
        {
            ProxyAddressFamily.Inet => 12,
            ProxyAddressFamily.Inet6 => 36,
            ProxyAddressFamily.Unix => 216,
            _ => 0,
        };
        if (payload.Length < addressLength || !TryReadTlvs(payload[addressLength..], input[..total], out var tlvs))
        {
            return ProxyParseStatus.Invalid;
        }

        header = ReadAddresses(family, transport, payload, tlvs);
        consumed = total;
        return ProxyParseStatus.Done;
    }

    private static ProxyHeader ReadAddresses(ProxyAddressFamily family, ProxyTransport transport, ReadOnlySpan<byte> payload, IReadOnlyList<ProxyTlv> tlvs)
    {
        switch (family)
        {
            case ProxyAddressFamily.Inet:
                return new ProxyHeader(2, ProxyCommand.Proxy, family, transport,
                    new IPEndPoint(new IPAddress(payload[..4]), BinaryPrimitives.ReadUInt16BigEndian(payload[8..10])),
                    new IPEndPoint(new IPAddress(payload[4..8]), BinaryPrimitives.ReadUInt16BigEndian(payload[10..12])), tlvs);
            case ProxyAddressFamily.Inet6:
                return new ProxyHeader(2, ProxyCommand.Proxy, family, transport,
                    new IPEndPoint(new IPAddress(payload[..16]), BinaryPrimitives.ReadUInt16BigEndian(payload[32..34])),
                    new IPEndPoint(new IPAddress(payload[16..32]), BinaryPrimitives.ReadUInt16BigEndian(payload[34..36])), tlvs);
            case ProxyAddressFamily.Unix:
                return new ProxyHeader(2, ProxyCommand.Proxy, family, transport, null, null, tlvs)
                {
                    UnixSource = UnixPath(payload[..108]),
                    UnixDestination = UnixPath(payload[108..216]),
                };
            default:
                // PROXY over an unspecified family: accepted, with the connection's own addresses (spec 2.2).
                return new ProxyHeader(2, ProxyCommand.Proxy, family, transport, null, null, tlvs);
        }
    }

    /// <summary>A sun_path: bytes up to the first NUL, read as Latin-1 so that any byte maps to one char.</summary>
    private static string UnixPath(ReadOnlySpan<byte> path)
    {
        var end = path.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? path : path[..end]);
    }

    private static bool TryReadTlvs(ReadOnlySpan<byte> block, ReadOnlySpan<byte> wholeHeader, out IReadOnlyList<ProxyTlv> tlvs)
    {
        tlvs = [];
        if (block.IsEmpty)
        {
            return true;
        }

        var list = new List<ProxyTlv>();
        var offset = 0;
        while (offset < block.Length)
        {
            if (!TryReadTlv(block[offset..], out var type, out var value, out var size))
            {
                return false;
            }

            if (type == ProxyTlvTypes.Ssl && !IsValidSslValue(value))
            {
                return false;
            }

            if (type == ProxyTlvTypes.Crc32c)
            {
                var valueStart = wholeHeader.Length - block.Length + offset + 3;
                if (value.Length != 4 || ProxyV2Checksum.Compute(wholeHeader, valueStart) != BinaryPrimitives.ReadUInt32BigEndian(value))
                {
                    return false;
                }
            }

            list.Add(new ProxyTlv(type, value.ToArray()));
            offset += size;
        }

        tlvs = list;
        return true;
    }

    private static bool TryReadTlv(ReadOnlySpan<byte> data, out byte type, out ReadOnlySpan<byte> value, out int size)
    {
        type = 0;
        value = default;
        size = 0;
        if (data.Length < 3)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(data[1..3]);
        if (data.Length < 3 + length)
        {
            return false;
        }

        type = data[0];
        value = data.Slice(3, length);
        size = 3 + length;
        return true;
    }

    /// <summary>PP2_TYPE_SSL: a client byte, a 4-byte verify result, then sub-TLVs that fill the rest exactly.</summary>
    private static bool IsValidSslValue(ReadOnlySpan<byte> value)
    {
        if (value.Length < 5)
        {
            return false;
        }

        var subs = value[5..];
        while (!subs.IsEmpty)
        {
            if (!TryReadTlv(subs, out _, out _, out var size))
            {
                return false;
            }

            subs = subs[size..];
        }

        return true;
    }
}
