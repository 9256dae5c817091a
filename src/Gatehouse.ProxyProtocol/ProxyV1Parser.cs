using System.Net;
using System.Net.Sockets;

namespace Gatehouse.ProxyProtocol;

/// <summary>
/// The human-readable header (spec 2.1): <c>PROXY TCP4|TCP6 src dst sport dport\r\n</c> or <c>PROXY UNKNOWN …\r\n</c>,
/// at most 107 bytes, fields separated by exactly one space. Addresses and ports are read as strictly as the spec
/// writes them: dotted-quad IPv4 without leading zeros, textual IPv6 without zone or brackets, decimal ports without
/// leading zeros.
/// </summary>
internal static class ProxyV1Parser
{
    private static ReadOnlySpan<byte> Prefix => "PROXY "u8;

    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> input, out ProxyHeader? header, out int consumed)
    {
        header = null;
        consumed = 0;
        var prefixLength = Math.Min(input.Length, Prefix.Length);
        if (!input[..prefixLength].SequenceEqual(Prefix[..prefixLength]))
        {
            return ProxyParseStatus.Invalid;
        }

        var window = input[..Math.Min(input.Length, ProxyHeaderParser.V1MaxLength)];
        var newline = window.IndexOf((byte)'\n');
        if (newline < 0)
        {
            // Every byte so far must be printable text, a CR only as the last byte (its LF still to come): binary
            // garbage fails at once, not at the bound.
            if (ContainsNonText(window.EndsWith((byte)'\r') ? window[..^1] : window))
            {
                return ProxyParseStatus.Invalid;
            }

            return input.Length >= ProxyHeaderParser.V1MaxLength ? ProxyParseStatus.Invalid : ProxyParseStatus.NeedMoreData;
        }

        // The line is printable text ended by CRLF; a CR inside it is refused even after UNKNOWN, whose rest is
        // otherwise ignored (a reader that stops at the first CR would see another line end).
        if (newline < Prefix.Length + 1 || window[newline - 1] != '\r' || ContainsNonText(window[..(newline - 1)]))
        {
            return ProxyParseStatus.Invalid;
        }

        var line = window[Prefix.Length..(newline - 1)];
        if (!TryParseLine(line, out header))
        {
            return ProxyParseStatus.Invalid;
        }

        consumed = newline + 1;
        return ProxyParseStatus.Done;
    }

    private static bool ContainsNonText(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0;

    private static bool TryParseLine(ReadOnlySpan<byte> line, out ProxyHeader? header)
    {
        header = null;
        if (line.StartsWith("UNKNOWN"u8) && (line.Length == 7 || line[7] == ' '))
        {
            // The spec: a receiver must ignore whatever follows UNKNOWN, and use the connection's own addresses.
            header = new ProxyHeader(1, ProxyCommand.Proxy, ProxyAddressFamily.Unspecified, ProxyTransport.Unspecified, null, null, []);
            return true;
        }

        Span<Range> fields = stackalloc Range[5];
        if (!TrySplit(line, fields))
        {
            return false;
        }

        var protocol = line[fields[0]];
        var family = protocol.SequenceEqual("TCP4"u8) ? AddressFamily.InterNetwork
            : protocol.SequenceEqual("TCP6"u8) ? AddressFamily.InterNetworkV6
            : AddressFamily.Unknown;
        if (family == AddressFamily.Unknown
            || ParseAddress(line[fields[1]], family) is not { } source
            || ParseAddress(line[fields[2]], family) is not { } destination
            || ParsePort(line[fields[3]]) is not { } sourcePort
            || ParsePort(line[fields[4]]) is not { } destinationPort)
        {
            return false;
        }

        header = new ProxyHeader(1, ProxyCommand.Proxy,
            family == AddressFamily.InterNetwork ? ProxyAddressFamily.Inet : ProxyAddressFamily.Inet6, ProxyTransport.Stream,
            new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort), []);
        return true;
    }

    /// <summary>Exactly <c>fields.Length</c> fields separated by single spaces (an empty field, so a double space, fails later).</summary>
    private static bool TrySplit(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        var start = 0;
        var count = 0;
        for (var i = 0; i <= line.Length; i++)
        {
            if (i < line.Length && line[i] != ' ')
            {
                continue;
            }

            if (count == fields.Length)
            {
                return false;
            }

            fields[count++] = start..i;
            start = i + 1;
        }

        return count == fields.Length;
    }

    private static IPAddress? ParseAddress(ReadOnlySpan<byte> text, AddressFamily family) =>
        family == AddressFamily.InterNetwork ? ParseIPv4(text) : ParseIPv6(text);

    /// <summary>Four decimal octets, 0–255, no leading zeros (inet_pton's form; IPAddress.Parse also takes "1" or "0x7f.1").</summary>
    internal static IPAddress? ParseIPv4(ReadOnlySpan<byte> text)
    {
        Span<byte> octets = stackalloc byte[4];
        var count = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }

            if (count == 4 || ParseDecimal(text[start..i], 3) is not { } value || value > 255)
            {
                return null;
            }

            octets[count++] = (byte)value;
            start = i + 1;
        }

        return count == 4 ? new IPAddress(octets) : null;
    }

    /// <summary>Hex digits, colons and an embedded IPv4 tail only: no zone index (%eth0), no brackets.</summary>
    private static IPAddress? ParseIPv6(ReadOnlySpan<byte> text)
    {
        if (text.Length is < 2 or > 45)
        {
            return null;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = (char)text[i];
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
            {
                return null;
            }

            chars[i] = c;
        }

        return IPAddress.TryParse(chars, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? address : null;
    }

    private static int? ParsePort(ReadOnlySpan<byte> text) => ParseDecimal(text, 5) is { } port && port <= 65535 ? port : null;

    /// <summary>1 to <paramref name="maxDigits"/> decimal digits, no leading zero unless the number is 0.</summary>
    private static int? ParseDecimal(ReadOnlySpan<byte> text, int maxDigits)
    {
        if (text.IsEmpty || text.Length > maxDigits || (text[0] == '0' && text.Length > 1))
        {
            return null;
        }

        var value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return null;
            }

            value = (value * 10) + (b - '0');
        }

        return value;
    }
}
