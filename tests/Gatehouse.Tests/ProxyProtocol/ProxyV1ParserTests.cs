using System.Buffers;
using System.Net;
using System.Text;
using Gatehouse.ProxyProtocol;

namespace Gatehouse.Tests.ProxyProtocol;

public class ProxyV1ParserTests
{
    private static ProxyParseStatus Parse(string text, out ProxyHeader? header, out int consumed) =>
        ProxyHeaderParser.TryParse(Encoding.Latin1.GetBytes(text), out header, out consumed);

    [Fact]
    public void Tcp4_GivesTheClientAndTheAddressItConnectedTo_AndConsumesOnlyTheLine()
    {
        const string line = "PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n";
        Assert.Equal(ProxyParseStatus.Done, Parse(line + "GET / HTTP/1.1\r\n", out var header, out var consumed));
        Assert.Equal(line.Length, consumed);
        Assert.Equal(1, header!.Version);
        Assert.True(header.CarriesClient);
        Assert.Equal(ProxyAddressFamily.Inet, header.Family);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 56324), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443), header.Destination);
    }

    [Fact]
    public void Tcp6_GivesIPv6Endpoints()
    {
        Assert.Equal(ProxyParseStatus.Done, Parse("PROXY TCP6 2001:db8::1 ::ffff:198.51.100.1 65535 0\r\n", out var header, out _));
        Assert.Equal(ProxyAddressFamily.Inet6, header!.Family);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 65535), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.1"), 0), header.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")]
    public void Unknown_IsAcceptedWithoutAClient_WhateverFollowsIt(string line)
    {
        Assert.Equal(ProxyParseStatus.Done, Parse(line, out var header, out var consumed));
        Assert.Equal(line.Length, consumed);
        Assert.False(header!.CarriesClient);
        Assert.Null(header.Source);
    }

    [Fact]
    public void TheLongestLegalLines_Parse_TheWorstCaseBeing107Bytes()
    {
        const string addresses = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        Assert.Equal(ProxyParseStatus.Done, Parse("PROXY TCP6 " + addresses, out var header, out var consumed));
        Assert.Equal(104, consumed);
        Assert.Equal(65535, header!.Source!.Port);

        // The spec's worst case: UNKNOWN followed by what a TCP6 line would hold.
        Assert.Equal(ProxyParseStatus.Done, Parse("PROXY UNKNOWN " + addresses, out _, out consumed));
        Assert.Equal(ProxyHeaderParser.V1MaxLength, consumed);
    }

    [Fact]
    public void EveryPrefixOfAValidLine_AsksForMore()
    {
        const string line = "PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n";
        for (var i = 0; i < line.Length; i++)
        {
            Assert.Equal(ProxyParseStatus.NeedMoreData, Parse(line[..i], out _, out var consumed));
            Assert.Equal(0, consumed);
        }
    }

    [Fact]
    public void ALineSplitAcrossSegments_ParsesAsInOnePiece()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\nrest");
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var sequence = Segments.Of(bytes[..cut], bytes[cut..]);
            Assert.Equal(ProxyParseStatus.Done, ProxyHeaderParser.TryParse(sequence, out var header, out var consumed));
            Assert.Equal(bytes.Length - 4, consumed);
            Assert.Equal(56324, header!.Source!.Port);
        }
    }

    [Theory]
    [InlineData("proxy TCP4 192.0.2.10 198.51.100.1 56324 443\r\n")] // the keyword is upper case
    [InlineData("PROXY  TCP4 192.0.2.10 198.51.100.1 56324 443\r\n")] // one space only
    [InlineData("PROXY TCP4 192.0.2.10  198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443 \r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324\r\n")] // a field missing
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443 1\r\n")] // one too many
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\n")] // LF without CR
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\r\n")]
    [InlineData("PROXY TCP4 192.0.2.010 198.51.100.1 56324 443\r\n")] // leading zero (octal to some readers)
    [InlineData("PROXY TCP4 192.0.2.256 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.1.1 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 3221225994 198.51.100.1 56324 443\r\n")] // a bare number IPAddress.Parse would take
    [InlineData("PROXY TCP4 0x7f.0.0.1 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 198.51.100.1 56324 443\r\n")] // family and address disagree
    [InlineData("PROXY TCP6 192.0.2.10 2001:db8::2 56324 443\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 2001:db8::2 56324 443\r\n")] // zone index
    [InlineData("PROXY TCP6 [2001:db8::1] 2001:db8::2 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 65536 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 056324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 -1 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 +1 443\r\n")]
    [InlineData("PROXY UDP4 192.0.2.10 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY UNKNOWNX\r\n")]
    [InlineData("PROXY \r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324 4\u00e93\r\n")] // not ASCII
    [InlineData("PROXY TCP4 192.0.2.10\0198.51.100.1 56324 443\r\n")]
    [InlineData("GET / HTTP/1.1\r\n")] // no header at all
    [InlineData("PROXX")]
    public void AMalformedLine_IsInvalid(string text) =>
        Assert.Equal(ProxyParseStatus.Invalid, Parse(text, out _, out _));

    /// <summary>
    /// Found by the proxy-protocol fuzz target: the rest of an UNKNOWN line is ignored, and it took a CR there, so
    /// "PROXY UNKNOWN \r\r\n" was a header to Gatehouse and two line ends to a reader that stops at the first CR.
    /// </summary>
    [Theory]
    [InlineData("PROXY UNKNOWN \r\r\n")]
    [InlineData("PROXY UNKNOWN\r \r\n")]
    [InlineData("PROXY UNKNOWN a\rb c d e\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10\r198.51.100.1 56324 443\r\n")]
    public void ACarriageReturnInsideTheLine_IsInvalid_EvenAfterUnknown(string text) =>
        Assert.Equal(ProxyParseStatus.Invalid, Parse(text, out _, out _));

    [Theory]
    [InlineData("PROXY UNKNOWN\r", ProxyParseStatus.NeedMoreData)] // the LF may be next
    [InlineData("PROXY UNKNOWN\r ", ProxyParseStatus.Invalid)] // a CR with text after it ends no line
    [InlineData("PROXY \r", ProxyParseStatus.NeedMoreData)]
    public void ACarriageReturnBeforeTheLineFeedArrives_WaitsOnlyWhenItIsTheLastByte(string text, ProxyParseStatus expected) =>
        Assert.Equal(expected, Parse(text, out _, out _));

    [Fact]
    public void NoLineEndWithin107Bytes_IsInvalid_NotAnEndlessWait()
    {
        var text = "PROXY UNKNOWN " + new string('a', 200);
        Assert.Equal(ProxyParseStatus.Invalid, Parse(text[..107], out _, out _));
        Assert.Equal(ProxyParseStatus.NeedMoreData, Parse(text[..106], out _, out _));
    }
}
