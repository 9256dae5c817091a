using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gatehouse.ProxyProtocol;
using Gatehouse.Tests.Upstream.Support;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// The PROXY protocol reader (ProxyHeaderParser, v1 and v2), which reads the first bytes of every connection on a
/// listener that expects the header. The first byte picks the v2 payload bound (bits 0-2, so that small bounds and the
/// clamping of odd ones are reached) and seeds the random cuts (the rest); the other bytes are what the sender sent.
/// Findings besides an exception (the parser throws none: it answers Invalid):
/// - the answer differs when the bytes come whole, one byte per segment or cut at random;
/// - the answers to the growing prefixes are not NeedMoreData, then one final answer that never changes (a slow
///   sender refused, or a header that reads differently once more bytes arrive);
/// - NeedMoreData at or past the bound, or a Done that consumes more than its input or the bound;
/// - a header that breaks what its version and family promise (checked from the bytes, not through the parser);
/// - a header with a client that, written back by ProxyHeaderWriter, reads as other addresses.
/// </summary>
public static class ProxyProtocolTarget
{
    private static readonly int[] Bounds = [ProxyHeaderParser.DefaultMaxV2Payload, 0, 12, 36, 64, 216, -1, 70_000];

    public static void Run(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var bound = Bounds[data[0] & 7];
        var input = data[1..];
        var whole = Read(new ReadOnlySequence<byte>(input), bound, input.Length);
        var random = new Random(data[0] >> 3);
        var cuts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(1, Math.Max(2, input.Length))).Distinct().Order().Where(c => c < input.Length).ToList();
        var stride = input.Length <= 1024 ? 1 : 37;
        var everyStride = Enumerable.Range(1, Math.Max(0, (input.Length - 1) / stride)).Select(i => i * stride);
        foreach (var pieces in new[] { Segments.Split(input, everyStride), Segments.Split(input, cuts) })
        {
            var split = Read(Segments.Of(pieces.Select(p => (ReadOnlyMemory<byte>)p).ToList()), bound, input.Length);
            FindingException.Unless(split == whole, $"split input disagrees: {whole} vs {split}");
        }

        GrowingPrefixes(input, bound, whole, cuts);
    }

    /// <summary>
    /// What the listener sees as the bytes arrive: NeedMoreData until one final answer, which longer input keeps.
    /// Every prefix for short inputs; the cuts and the edges of the answer for long ones.
    /// </summary>
    private static void GrowingPrefixes(byte[] input, int bound, Answer whole, List<int> cuts)
    {
        var lengths = input.Length <= 300
            ? Enumerable.Range(0, input.Length + 1)
            : cuts.Concat([0, 1, 6, 12, 13, 14, 15, 16, 17, 107, 108, whole.Consumed - 1, whole.Consumed, whole.Consumed + 1, input.Length])
                .Where(l => l >= 0 && l <= input.Length).Distinct().Order();
        Answer? final = null;
        foreach (var length in lengths)
        {
            var prefix = Read(new ReadOnlySequence<byte>(input, 0, length), bound, length);
            if (final is not null)
            {
                FindingException.Unless(prefix == final, $"{length} bytes answer {prefix} after a shorter prefix answered {final}");
            }
            else if (prefix.Status != ProxyParseStatus.NeedMoreData)
            {
                final = prefix;
            }
        }

        FindingException.Unless(final is null ? whole.Status == ProxyParseStatus.NeedMoreData : whole == final, $"the whole input answers {whole}, its prefixes {final}");
    }

    private static Answer Read(ReadOnlySequence<byte> bytes, int bound, int length)
    {
        var status = ProxyHeaderParser.TryParse(bytes, out var header, out var consumed, bound);
        var limit = ProxyHeaderParser.MaxHeaderLength(bound);
        switch (status)
        {
            case ProxyParseStatus.Done:
                FindingException.Unless(header is not null && consumed >= 1 && consumed <= length && consumed <= limit, $"Done consuming {consumed} of {length} (bound {limit})");
                var read = bytes.Slice(0, consumed).ToArray();
                Check(header!, read, bound);
                WritesBack(header!);
                return new Answer(status, consumed, Describe(header!));
            case ProxyParseStatus.NeedMoreData:
                FindingException.Unless(header is null && consumed == 0 && length < limit, $"NeedMoreData for {length} bytes (bound {limit}), consumed {consumed}");
                return new Answer(status, 0, "");
            case ProxyParseStatus.Invalid:
                FindingException.Unless(header is null && consumed == 0, $"Invalid with a header or consumed {consumed}");
                return new Answer(status, 0, "");
            default:
                throw new FindingException($"status {status}");
        }
    }

    /// <summary>What the header promises, checked against the bytes it was read from.</summary>
    private static void Check(ProxyHeader header, byte[] read, int bound)
    {
        FindingException.Unless(Enum.IsDefined(header.Family) && Enum.IsDefined(header.Transport) && Enum.IsDefined(header.Command), $"undefined enum in {Describe(header)}");
        FindingException.Unless(!header.CarriesClient || header.Source is not null, "carries a client without a source");
        if (header.Version == 1)
        {
            FindingException.Unless(read.Length <= ProxyHeaderParser.V1MaxLength && read.AsSpan().StartsWith("PROXY "u8) && read.AsSpan().EndsWith("\r\n"u8), "v1 header is not one PROXY line of at most 107 bytes");
            FindingException.Unless(read.AsSpan(0, read.Length - 2).IndexOfAny((byte)'\r', (byte)'\n') < 0, "v1 line holds a CR or LF");
            FindingException.Unless(header.Command == ProxyCommand.Proxy && header.Tlvs.Count == 0 && header.UnixSource is null, "v1 header with LOCAL, TLVs or a Unix path");
            var inet = read.AsSpan().StartsWith("PROXY TCP4 "u8);
            var inet6 = read.AsSpan().StartsWith("PROXY TCP6 "u8);
            FindingException.Unless(inet || inet6 || read.AsSpan().StartsWith("PROXY UNKNOWN"u8), "v1 protocol is not TCP4, TCP6 or UNKNOWN");
            var family = inet ? ProxyAddressFamily.Inet : inet6 ? ProxyAddressFamily.Inet6 : ProxyAddressFamily.Unspecified;
            FindingException.Unless(header.Family == family, $"v1 family {header.Family} from {(inet ? "TCP4" : inet6 ? "TCP6" : "UNKNOWN")}");
            Addresses(header, family);
            return;
        }

        FindingException.Unless(header.Version == 2 && read.AsSpan().StartsWith("\r\n\r\n\0\r\nQUIT\n"u8), "neither v1 nor a v2 signature");
        FindingException.Unless(read.Length >= 16 && read[12] is 0x20 or 0x21, "v2 without version 2 and a known command");
        var length = BinaryPrimitives.ReadUInt16BigEndian(read.AsSpan(14, 2));
        FindingException.Unless(read.Length == 16 + length && length <= Math.Clamp(bound, 0, ushort.MaxValue), $"v2 consumed {read.Length} for a length of {length} (bound {bound})");
        FindingException.Unless(header.Command == (read[12] == 0x21 ? ProxyCommand.Proxy : ProxyCommand.Local), "v2 command differs from its byte");
        FindingException.Unless((int)header.Family == read[13] >> 4 && (int)header.Transport == (read[13] & 0x0F), "v2 family or transport differs from its byte");
        if (header.Command == ProxyCommand.Local)
        {
            FindingException.Unless(header.Source is null && header.Destination is null && header.Tlvs.Count == 0 && header.UnixSource is null, "LOCAL with addresses or TLVs");
            return;
        }

        Addresses(header, header.Family);
        var addressLength = header.Family switch { ProxyAddressFamily.Inet => 12, ProxyAddressFamily.Inet6 => 36, ProxyAddressFamily.Unix => 216, _ => 0 };
        FindingException.Unless(length >= addressLength, $"family {header.Family} in {length} bytes");
        FindingException.Unless(3 * header.Tlvs.Count + header.Tlvs.Sum(t => t.Value.Length) == length - addressLength, "the TLVs do not fill the block exactly");
        var offset = 16 + addressLength;
        foreach (var tlv in header.Tlvs)
        {
            FindingException.Unless(read[offset] == tlv.Type && BinaryPrimitives.ReadUInt16BigEndian(read.AsSpan(offset + 1, 2)) == tlv.Value.Length
                && read.AsSpan(offset + 3, tlv.Value.Length).SequenceEqual(tlv.Value.Span), $"TLV {tlv.Type} at {offset} differs from its bytes");
            FindingException.Unless(tlv.Type != ProxyTlvTypes.Crc32c || tlv.Value.Length == 4, "CRC32C TLV not 4 bytes");
            FindingException.Unless(tlv.Type != ProxyTlvTypes.Ssl || tlv.Value.Length >= 5, "SSL TLV shorter than its client byte and verify field");
            offset += 3 + tlv.Value.Length;
        }
    }

    private static void Addresses(ProxyHeader header, ProxyAddressFamily family)
    {
        var expected = family switch
        {
            ProxyAddressFamily.Inet => AddressFamily.InterNetwork,
            ProxyAddressFamily.Inet6 => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unknown,
        };
        if (expected == AddressFamily.Unknown)
        {
            FindingException.Unless(header.Source is null && header.Destination is null, $"addresses for family {family}");
            FindingException.Unless((family == ProxyAddressFamily.Unix) == (header.UnixSource is not null && header.UnixDestination is not null), "Unix paths and family disagree");
            return;
        }

        FindingException.Unless(header.Source?.AddressFamily == expected && header.Destination?.AddressFamily == expected, $"addresses not {expected}: {header.Source} {header.Destination}");
        FindingException.Unless(expected == AddressFamily.InterNetwork || (header.Source!.Address.ScopeId == 0 && header.Destination!.Address.ScopeId == 0), "an address with a zone");
    }

    /// <summary>The client and local address read, written as Gatehouse writes them to a backend, read back alike.</summary>
    private static void WritesBack(ProxyHeader header)
    {
        if (!header.CarriesClient || header.Destination is null)
        {
            return;
        }

        foreach (var version in new[] { 1, 2 })
        {
            var written = ProxyHeaderWriter.Write(version, header.Source, header.Destination);
            var status = ProxyHeaderParser.TryParse(written, out var again, out var consumed);
            FindingException.Unless(status == ProxyParseStatus.Done && consumed == written.Length, $"v{version} written for {Describe(header)} reads {status}");
            FindingException.Unless(Same(again!.Source!, header.Source!) && Same(again.Destination!, header.Destination), $"v{version} written for {Describe(header)} reads {Describe(again)}");
        }
    }

    /// <summary>The writer sends an IPv4-mapped pair as plain IPv4: the same endpoint for a backend.</summary>
    private static bool Same(IPEndPoint a, IPEndPoint b) => a.Port == b.Port && a.Address.MapToIPv6().Equals(b.Address.MapToIPv6());

    private static string Describe(ProxyHeader header) =>
        $"v{header.Version} {header.Command} {header.Family} {header.Transport} {header.Source} {header.Destination} {header.UnixSource}|{header.UnixDestination} "
        + string.Join(",", header.Tlvs.Select(t => $"{t.Type}:{Convert.ToHexString(t.Value.Span)}"));

    private readonly record struct Answer(ProxyParseStatus Status, int Consumed, string Header);
}
