using System.Buffers.Binary;
using System.Net;
using System.Text;
using Gatehouse.ProxyProtocol;

namespace Gatehouse.Tests.ProxyProtocol;

public class ProxyV2ParserTests
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>A v2 header byte by byte, as the spec lays it out, so the parser is checked against the spec and not against the writer.</summary>
    private static byte[] Header(byte versionCommand, byte familyTransport, byte[] payload, int? declaredLength = null)
    {
        var header = new byte[16 + payload.Length];
        Signature.CopyTo(header, 0);
        header[12] = versionCommand;
        header[13] = familyTransport;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)(declaredLength ?? payload.Length));
        payload.CopyTo(header, 16);
        return header;
    }

    private static byte[] Tlv(byte type, byte[] value) => [type, (byte)(value.Length >> 8), (byte)value.Length, .. value];

    private static byte[] Inet(string source, string destination, ushort sourcePort, ushort destinationPort) =>
        [.. IPAddress.Parse(source).GetAddressBytes(), .. IPAddress.Parse(destination).GetAddressBytes(),
         (byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort];

    private static ProxyParseStatus Parse(byte[] bytes, out ProxyHeader? header, out int consumed, int maxPayload = ProxyHeaderParser.DefaultMaxV2Payload) =>
        ProxyHeaderParser.TryParse(bytes, out header, out consumed, maxPayload);

    [Fact]
    public void ProxyOverInet_GivesTheClient_AndConsumesExactlyTheHeader()
    {
        var header = Header(0x21, 0x11, Inet("192.0.2.10", "198.51.100.1", 56324, 443));
        Assert.Equal(ProxyParseStatus.Done, Parse([.. header, .. "GET"u8], out var parsed, out var consumed));
        Assert.Equal(28, consumed);
        Assert.Equal(2, parsed!.Version);
        Assert.True(parsed.CarriesClient);
        Assert.Equal(ProxyTransport.Stream, parsed.Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 56324), parsed.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443), parsed.Destination);
    }

    [Fact]
    public void ProxyOverInet6_GivesIPv6Endpoints()
    {
        var header = Header(0x21, 0x21, Inet("2001:db8::10", "2001:db8::1", 1, 65535));
        Assert.Equal(ProxyParseStatus.Done, Parse(header, out var parsed, out var consumed));
        Assert.Equal(52, consumed);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::10"), 1), parsed!.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 65535), parsed.Destination);
    }

    [Fact]
    public void ProxyOverUnix_GivesThePaths_AndNoClientAddress()
    {
        var payload = new byte[216];
        "/run/client.sock"u8.CopyTo(payload);
        "/run/haproxy.sock"u8.CopyTo(payload.AsSpan(108));
        Assert.Equal(ProxyParseStatus.Done, Parse(Header(0x21, 0x31, payload), out var parsed, out _));
        Assert.Equal(ProxyAddressFamily.Unix, parsed!.Family);
        Assert.Equal("/run/client.sock", parsed.UnixSource);
        Assert.Equal("/run/haproxy.sock", parsed.UnixDestination);
        Assert.False(parsed.CarriesClient);
    }

    [Theory]
    [InlineData(0x00)] // UNSPEC
    [InlineData(0x11)] // addresses present: ignored for LOCAL
    [InlineData(0x31)]
    public void Local_IsAcceptedWithoutAClient_WhateverItsFamily(byte family)
    {
        var header = Header(0x20, family, new byte[12]);
        Assert.Equal(ProxyParseStatus.Done, Parse(header, out var parsed, out var consumed));
        Assert.Equal(28, consumed);
        Assert.Equal(ProxyCommand.Local, parsed!.Command);
        Assert.False(parsed.CarriesClient);
    }

    [Fact]
    public void ProxyWithUnspecifiedFamily_IsAcceptedWithoutAClient() =>
        Assert.False(Assert.IsType<ProxyHeader>(ParseDone(Header(0x21, 0x00, []))).CarriesClient);

    [Fact]
    public void Tlvs_AreRead_IncludingSslWithSubTlvs()
    {
        var ssl = Tlv(ProxyTlvTypes.Ssl, [0x01, 0, 0, 0, 1, .. Tlv(ProxyTlvTypes.SslVersion, "TLSv1.3"u8.ToArray())]);
        var header = Header(0x21, 0x11, [.. Inet("192.0.2.10", "198.51.100.1", 1, 2),
            .. Tlv(ProxyTlvTypes.Alpn, "h2"u8.ToArray()), .. Tlv(ProxyTlvTypes.Authority, "example.com"u8.ToArray()), .. ssl, .. Tlv(0xE0, [])]);
        var parsed = ParseDone(header);
        Assert.Equal(4, parsed.Tlvs.Count);
        Assert.Equal("h2", Encoding.ASCII.GetString(parsed.Tlv(ProxyTlvTypes.Alpn)!.Value.Span));
        Assert.Equal("example.com", Encoding.ASCII.GetString(parsed.Tlv(ProxyTlvTypes.Authority)!.Value.Span));
        Assert.Equal(0x01, parsed.Tlv(ProxyTlvTypes.Ssl)!.Value.Span[0]);
        Assert.Empty(parsed.Tlv(0xE0)!.Value.ToArray());
    }

    [Fact]
    public void ACorrectCrc32c_IsAccepted_AndAWrongOneRefused()
    {
        var header = Header(0x21, 0x11, [.. Inet("192.0.2.10", "198.51.100.1", 1, 2), .. Tlv(ProxyTlvTypes.Crc32c, new byte[4])]);
        var crc = Crc32c(header);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(header.Length - 4), crc);
        Assert.Equal(ProxyParseStatus.Done, Parse(header, out _, out _));

        header[^1] ^= 0x01;
        Assert.Equal(ProxyParseStatus.Invalid, Parse(header, out _, out _));
    }

    [Fact]
    public void TheCrc32cAlgorithm_MatchesTheStandardCheckValue()
    {
        // RFC 3720 B.4 / the common check value: CRC-32C("123456789") = 0xE3069283.
        var crc = 0xFFFFFFFFu;
        foreach (var b in "123456789"u8)
        {
            crc = System.Numerics.BitOperations.Crc32C(crc, b);
        }

        Assert.Equal(0xE3069283u, ~crc);
    }

    [Fact]
    public void EveryPrefix_AsksForMore_AndEverySplit_ParsesAlike()
    {
        var header = Header(0x21, 0x11, [.. Inet("192.0.2.10", "198.51.100.1", 1, 2), .. Tlv(ProxyTlvTypes.Authority, "a.example"u8.ToArray())]);
        for (var i = 0; i < header.Length; i++)
        {
            Assert.Equal(ProxyParseStatus.NeedMoreData, Parse(header[..i], out _, out _));
        }

        for (var cut = 1; cut < header.Length; cut++)
        {
            Assert.Equal(ProxyParseStatus.Done, ProxyHeaderParser.TryParse(Segments.Of(header[..cut], header[cut..]), out var parsed, out var consumed));
            Assert.Equal(header.Length, consumed);
            Assert.Equal("a.example", Encoding.ASCII.GetString(parsed!.Tlv(ProxyTlvTypes.Authority)!.Value.Span));
        }
    }

    [Fact]
    public void ALengthBeyondTheBound_IsRefusedAtOnce_BeforeItsBytesArrive()
    {
        var header = Header(0x21, 0x11, Inet("192.0.2.10", "198.51.100.1", 1, 2), declaredLength: 4097);
        Assert.Equal(ProxyParseStatus.Invalid, Parse(header, out _, out _));
        Assert.Equal(ProxyParseStatus.NeedMoreData, Parse(header, out _, out _, maxPayload: 65535));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "version 1 in the binary form", Header(0x11, 0x11, new byte[12]) },
        { "version 3", Header(0x31, 0x11, new byte[12]) },
        { "command 2", Header(0x22, 0x11, new byte[12]) },
        { "family 4", Header(0x21, 0x41, new byte[12]) },
        { "transport 3", Header(0x21, 0x13, new byte[12]) },
        { "inet block too short", Header(0x21, 0x11, new byte[11]) },
        { "inet6 block too short", Header(0x21, 0x21, new byte[35]) },
        { "unix block too short", Header(0x21, 0x31, new byte[215]) },
        { "TLV header cut", Header(0x21, 0x11, [.. new byte[12], 0x01, 0x00]) },
        { "TLV value overruns", Header(0x21, 0x11, [.. new byte[12], 0x01, 0x00, 0x05, 0x68, 0x32]) },
        { "SSL value too short", Header(0x21, 0x11, [.. new byte[12], .. Tlv(ProxyTlvTypes.Ssl, [1, 0, 0, 0])]) },
        { "SSL sub-TLV overruns", Header(0x21, 0x11, [.. new byte[12], .. Tlv(ProxyTlvTypes.Ssl, [1, 0, 0, 0, 0, 0x21, 0x00, 0x09, 0x54])]) },
        { "CRC32C of 3 bytes", Header(0x21, 0x11, [.. new byte[12], .. Tlv(ProxyTlvTypes.Crc32c, [0, 0, 0])]) },
        { "signature wrong", [.. "\r\n\r\n\0\r\nQUIT\r"u8, 0x21, 0x11, 0, 0] },
        { "TLS ClientHello instead", [0x16, 0x03, 0x01, 0x00, 0xF4, 0x01] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void AMalformedHeader_IsInvalid(string why, byte[] bytes) =>
        Assert.True(Parse(bytes, out _, out _) == ProxyParseStatus.Invalid, why);

    private static ProxyHeader ParseDone(byte[] bytes)
    {
        Assert.Equal(ProxyParseStatus.Done, Parse(bytes, out var header, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        return header!;
    }

    private static uint Crc32c(byte[] header)
    {
        var crc = 0xFFFFFFFFu;
        for (var i = 0; i < header.Length; i++)
        {
            crc = System.Numerics.BitOperations.Crc32C(crc, i >= header.Length - 4 ? (byte)0 : header[i]);
        }

        return ~crc;
    }
}
