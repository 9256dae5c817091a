using System.Numerics;

namespace Gatehouse.ProxyProtocol;

/// <summary>PP2_TYPE_CRC32C (spec 2.2.5): CRC32c over the whole header with the checksum's own four bytes as zeros.</summary>
internal static class ProxyV2Checksum
{
    public static uint Compute(ReadOnlySpan<byte> header, int checksumOffset)
    {
        var crc = 0xFFFFFFFFu;
        for (var i = 0; i < header.Length; i++)
        {
            var b = i >= checksumOffset && i < checksumOffset + 4 ? (byte)0 : header[i];
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
