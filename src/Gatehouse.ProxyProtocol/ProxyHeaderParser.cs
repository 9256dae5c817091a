using System.Buffers;

namespace Gatehouse.ProxyProtocol;

/// <summary>
/// Reads the PROXY protocol header at the start of a connection, either version (the first byte tells them apart).
/// Pure and incremental: give it what has arrived; it answers <see cref="ProxyParseStatus.NeedMoreData"/> only while
/// the bytes are a valid beginning shorter than the bound, so a caller that reads until Done or Invalid reads at most
/// <see cref="MaxHeaderLength"/> bytes. Bad bytes give Invalid; nothing here throws on any input.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>v1's longest line: "PROXY TCP6 " + two full IPv6 addresses + two ports + spaces + CRLF (spec 2.1).</summary>
    public const int V1MaxLength = 107;

    /// <summary>v2's fixed part: signature, version and command, family and transport, length.</summary>
    public const int V2FixedLength = 16;

    /// <summary>
    /// The largest v2 address-and-TLV block accepted by default. The protocol allows 65,535 bytes; real senders put
    /// addresses and a few short TLVs (ALPN, SNI, TLS version and cipher, a certificate's CN, a cloud endpoint id) there.
    /// </summary>
    public const int DefaultMaxV2Payload = 4096;

    /// <summary>The most bytes <see cref="TryParse(in ReadOnlySequence{byte}, out ProxyHeader?, out int, int)"/> ever looks at.</summary>
    public static int MaxHeaderLength(int maxV2Payload = DefaultMaxV2Payload) => Math.Max(V1MaxLength, V2FixedLength + maxV2Payload);

    public static ProxyParseStatus TryParse(in ReadOnlySequence<byte> input, out ProxyHeader? header, out int consumed, int maxV2Payload = DefaultMaxV2Payload)
    {
        if (input.IsSingleSegment)
        {
            return TryParse(input.FirstSpan, out header, out consumed, maxV2Payload);
        }

        // Several segments: copy what the parser may look at (bounded), never the rest of the connection's bytes.
        var length = (int)Math.Min(input.Length, MaxHeaderLength(maxV2Payload));
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            input.Slice(0, length).CopyTo(copy);
            return TryParse(copy.AsSpan(0, length), out header, out consumed, maxV2Payload);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> input, out ProxyHeader? header, out int consumed, int maxV2Payload = DefaultMaxV2Payload)
    {
        header = null;
        consumed = 0;
        if (input.IsEmpty)
        {
            return ProxyParseStatus.NeedMoreData;
        }

        maxV2Payload = Math.Clamp(maxV2Payload, 0, ushort.MaxValue);
        return input[0] switch
        {
            (byte)'P' => ProxyV1Parser.TryParse(input, out header, out consumed),
            (byte)'\r' => ProxyV2Parser.TryParse(input, maxV2Payload, out header, out consumed),
            _ => ProxyParseStatus.Invalid,
        };
    }
}
