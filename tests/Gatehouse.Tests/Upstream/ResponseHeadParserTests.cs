using System.Text;
using Gatehouse.Http1;
using Gatehouse.Tests.Upstream.Support;

namespace Gatehouse.Tests.Upstream;

public class ResponseHeadParserTests
{
    /// <summary>Parses <paramref name="raw"/> split every way <see cref="Segments.Splits"/> knows; all must agree.</summary>
    private static HeadOutcome Parse(string raw, bool requestWasHead = false, Http1Limits? limits = null)
    {
        var bytes = Encoding.Latin1.GetBytes(raw);
        var whole = HeadFeeder.Feed([bytes], requestWasHead, limits);
        foreach (var pieces in Segments.Splits(bytes))
        {
            var split = HeadFeeder.Feed(pieces, requestWasHead, limits);
            Assert.Equal(whole, split);
        }

        return whole;
    }

    private static ResponseHead Complete(string raw, bool requestWasHead = false)
    {
        var outcome = Parse(raw, requestWasHead);
        Assert.Equal(ParseStatus.Complete, outcome.Status);
        var parser = new ResponseHeadParser();
        parser.Reset(requestWasHead);
        var result = parser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(raw)));
        return result.Head!;
    }

    private static void AssertInvalid(string raw, string reason, Http1Limits? limits = null)
    {
        var outcome = Parse(raw, limits: limits);
        Assert.Equal(ParseStatus.Invalid, outcome.Status);
        Assert.Contains(reason, outcome.Error);
    }

    [Fact]
    public void ASimpleHead_IsComplete_AndConsumesExactlyTheHead()
    {
        const string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n";
        var outcome = Parse(head + "hello");

        Assert.Equal(ParseStatus.Complete, outcome.Status);
        Assert.Equal(head.Length, outcome.Consumed);
        Assert.Equal("HTTP/1.1 200 [OK] Final ContentLength 5 keepAlive=True | Content-Length: [5] | Content-Type: [text/plain]", outcome.Head);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r")]
    [InlineData("HTTP/1.1 20")]
    [InlineData("")]
    public void AnIncompleteHead_NeedsMoreData(string raw)
    {
        Assert.Equal(ParseStatus.NeedMoreData, Parse(raw).Status);
    }

    [Theory]
    [InlineData("HTTP/1.1 204 \r\n\r\n", "")]
    [InlineData("HTTP/1.1 404 Not  Found \r\n\r\n", "Not  Found ")]
    [InlineData("HTTP/1.1 200 \u00e9t\u00e9\tok\r\nContent-Length: 0\r\n\r\n", "\u00e9t\u00e9\tok")]
    public void TheReasonPhrase_MayBeEmpty_AndHoldSpacesTabsAndObsText(string raw, string reason)
    {
        Assert.Equal(reason, Complete(raw).Reason);
    }

    [Fact]
    public void FieldValues_LoseTheirSurroundingWhitespace_AndMayBeEmpty()
    {
        var head = Complete("HTTP/1.1 200 OK\r\nX-A: \t a  b \t\r\nX-Empty:\r\nX-Obs: caf\u00e9\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(["X-A", "X-Empty", "X-Obs", "Content-Length"], Enumerable.Range(0, head.Fields.Count).Select(head.Fields.Name));
        Assert.Equal("a  b", head.Fields.Value(0));
        Assert.Equal("", head.Fields.Value(1));
        Assert.Equal("caf\u00e9", head.Fields.Value(2));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", BodyFraming.ContentLength, 42L, true)]
    [InlineData("HTTP/1.1 200 OK\r\ncontent-length: 007\r\n\r\n", BodyFraming.ContentLength, 7L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n", BodyFraming.ContentLength, long.MaxValue, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", BodyFraming.Chunked, -1L, true)]
    [InlineData("HTTP/1.1 200 OK\r\ntransfer-encoding:  CHUNKED \r\n\r\n", BodyFraming.Chunked, -1L, true)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", BodyFraming.ReadUntilClose, -1L, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n", BodyFraming.ContentLength, 1L, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: x-foo, Close\r\n\r\n", BodyFraming.ContentLength, 1L, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: closed\r\n\r\n", BodyFraming.ContentLength, 1L, true)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", BodyFraming.ContentLength, 1L, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n", BodyFraming.ContentLength, 1L, false)]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", BodyFraming.None, -1L, true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n", BodyFraming.None, -1L, true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", BodyFraming.None, -1L, true)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", BodyFraming.None, -1L, false)]
    public void TheBodyFraming_FollowsRfc9112Section6_3(string raw, BodyFraming framing, long length, bool keepAlive)
    {
        var head = Complete(raw);

        Assert.Equal((framing, length, keepAlive), (head.Framing, head.ContentLength, head.KeepAlive));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n")]
    public void AResponseToHead_HasNoBody_WhateverItDeclares(string raw)
    {
        var head = Complete(raw, requestWasHead: true);

        Assert.Equal(BodyFraming.None, head.Framing);
        Assert.True(head.KeepAlive);
    }

    [Fact]
    public void InterimResponses_AreHeadsOfTheirOwn_FollowedByTheFinalOne()
    {
        var bytes = Encoding.ASCII.GetBytes(
            "HTTP/1.1 100 Continue\r\n\r\n" +
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
            "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        var parser = new ResponseHeadParser();
        parser.Reset(requestWasHead: false);
        var input = new System.Buffers.ReadOnlySequence<byte>(bytes);
        var heads = new List<ResponseHead>();
        while (!input.IsEmpty)
        {
            var result = parser.Parse(input);
            Assert.Equal(ParseStatus.Complete, result.Status);
            heads.Add(result.Head!);
            input = input.Slice(result.Consumed);
        }

        Assert.Equal([(100, ResponseKind.Interim), (103, ResponseKind.Interim), (201, ResponseKind.Final)], heads.Select(h => (h.StatusCode, h.Kind)));
        Assert.Equal("</style.css>; rel=preload", heads[1].Fields.Value(0));
        Assert.Equal(BodyFraming.None, heads[0].Framing);
    }

    [Fact]
    public void SwitchingProtocols_IsRecognised()
    {
        Assert.Equal(ResponseKind.SwitchingProtocols, Complete("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n").Kind);
    }

    [Theory]
    [InlineData("HTTP/1.1 200\r\n\r\n", "no space after the status code")]
    [InlineData("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", "no space after the status code")]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n", "not HTTP/1.0 or HTTP/1.1")]
    [InlineData("HTTP/1.2 200 OK\r\n\r\n", "not HTTP/1.0 or HTTP/1.1")]
    [InlineData("HTTP/0.9 200 OK\r\n\r\n", "not HTTP/1.0 or HTTP/1.1")]
    [InlineData("HTTP/1.10 200 OK\r\n\r\n", "no single space after the HTTP version")]
    [InlineData("http/1.1 200 OK\r\n\r\n", "does not start with HTTP/")]
    [InlineData("ICY 200 OK\r\n\r\n", "does not start with HTTP/")]
    [InlineData(" HTTP/1.1 200 OK\r\n\r\n", "does not start with HTTP/")]
    [InlineData("\r\nHTTP/1.1 200 OK\r\n\r\n", "does not start with HTTP/")]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n", "not three digits")]
    [InlineData("HTTP/1.1\t200 OK\r\n\r\n", "no single space after the HTTP version")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n", "not three digits")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", "not three digits")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", "no space after the status code")]
    [InlineData("HTTP/1.1 200\tOK\r\n\r\n", "no space after the status code")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", "outside 100-599")]
    [InlineData("HTTP/1.1 600 High\r\n\r\n", "outside 100-599")]
    [InlineData("HTTP/1.1 200 O\0K\r\n\r\n", "control character in the reason phrase")]
    [InlineData("HTTP/1.1 200 O\rK\r\n\r\n", "control character in the reason phrase")]
    [InlineData("HTTP/1.1 200 O\u007fK\r\n\r\n", "control character in the reason phrase")]
    public void AStatusLineThatIsNotExactlyHttp1x_IsRefused(string raw, string reason)
    {
        AssertInvalid(raw, reason);
    }

    [Theory]
    [InlineData("Content Length: 5", "not a token")]
    [InlineData("X-\"Quoted\": 5", "not a token")]
    [InlineData("X(a): 5", "not a token")]
    [InlineData("H\u00e9ader: 5", "not a token")]
    [InlineData("X\0: 5", "not a token")]
    [InlineData("Content-Length : 5", "whitespace between a field name and its colon")]
    [InlineData("Content-Length\t: 5", "whitespace between a field name and its colon")]
    [InlineData(": 5", "field name is empty")]
    [InlineData("NoColonHere", "no colon")]
    [InlineData(" X-Leading: space", "obs-fold")]
    [InlineData("\tX-Leading: tab", "obs-fold")]
    [InlineData("X-Nul: a\0b", "NUL in a field value")]
    [InlineData("X-Nul: \0", "NUL in a field value")]
    [InlineData("X-Cr: a\rb", "bare CR in a field value")]
    [InlineData("X-Cr: a\r", "bare CR in a field value")]
    [InlineData("X-Ctl: a\u0001b", "control character in a field value")]
    [InlineData("X-Ctl: a\u001bb", "control character in a field value")]
    [InlineData("X-Del: a\u007fb", "control character in a field value")]
    public void AFieldLineBreakingRfc9112Section5_IsRefused(string field, string reason)
    {
        AssertInvalid($"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n{field}\r\n\r\n", reason);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n Folded\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n\tFolded\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n \r\nContent-Length: 0\r\n\r\n")]
    public void ObsFold_IsRefused(string raw)
    {
        AssertInvalid(raw, "obs-fold");
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\n\n")]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n")]
    [InlineData("\n")]
    public void ABareLineFeed_IsRefused(string raw)
    {
        AssertInvalid(raw, "bare LF");
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked", "both Content-Length and Transfer-Encoding")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5", "both Content-Length and Transfer-Encoding")]
    [InlineData("Content-Length: 5\r\nContent-Length: 5", "several Content-Length fields")]
    [InlineData("Content-Length: 5\r\ncontent-length: 6", "several Content-Length fields")]
    [InlineData("Content-Length: 5, 5", "Content-Length list")]
    [InlineData("Content-Length: 5,5", "Content-Length list")]
    [InlineData("Content-Length: +5", "not 1*DIGIT")]
    [InlineData("Content-Length: -5", "not 1*DIGIT")]
    [InlineData("Content-Length: 5 5", "not 1*DIGIT")]
    [InlineData("Content-Length: 0x5", "not 1*DIGIT")]
    [InlineData("Content-Length: 5.0", "not 1*DIGIT")]
    [InlineData("Content-Length: 1_000", "not 1*DIGIT")]
    [InlineData("Content-Length: \u0665", "not 1*DIGIT")]
    [InlineData("Content-Length:", "empty Content-Length")]
    [InlineData("Content-Length: 9223372036854775808", "too large")]
    [InlineData("Content-Length: 99999999999999999999999", "too large")]
    [InlineData("Transfer-Encoding: gzip, chunked", "other than chunked")]
    [InlineData("Transfer-Encoding: chunked, chunked", "other than chunked")]
    [InlineData("Transfer-Encoding: chunked, gzip", "other than chunked")]
    [InlineData("Transfer-Encoding: gzip", "other than chunked")]
    [InlineData("Transfer-Encoding: identity", "other than chunked")]
    [InlineData("Transfer-Encoding: chunked;q=1", "other than chunked")]
    [InlineData("Transfer-Encoding: \"chunked\"", "other than chunked")]
    [InlineData("Transfer-Encoding: xchunked", "other than chunked")]
    [InlineData("Transfer-Encoding:", "other than chunked")]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", "several Transfer-Encoding fields")]
    public void AmbiguousOrInvalidFraming_IsRefused(string fields, string reason)
    {
        AssertInvalid($"HTTP/1.1 200 OK\r\n{fields}\r\n\r\n", reason);
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", "both")]
    [InlineData("HTTP/1.1 100 Continue\r\nContent-Length: x\r\n\r\n", "not 1*DIGIT")]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "several")]
    public void FramingFields_AreCheckedEvenOnHeadsWithoutABody(string raw, string reason)
    {
        AssertInvalid(raw, reason);
        var parser = new ResponseHeadParser();
        parser.Reset(requestWasHead: true);
        Assert.Equal(ParseStatus.Invalid, parser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(raw))).Status);
    }

    [Fact]
    public void TransferEncoding_InAnHttp10Response_IsRefused()
    {
        AssertInvalid("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.0");
    }

    [Fact]
    public void AHeadOfExactlyTheLimit_IsAccepted_AndOneByteMoreIsRefused()
    {
        var limits = new Http1Limits { MaxHeadBytes = 200 };
        const string start = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: ";
        var padding = new string('a', 200 - start.Length - 4);

        Assert.Equal(ParseStatus.Complete, Parse(start + padding + "\r\n\r\n", limits: limits).Status);
        AssertInvalid(start + padding + "a\r\n\r\n", "larger than 200 bytes", limits);
        AssertInvalid(start + padding + "aaaaaaa", "larger than 200 bytes", limits);
    }

    [Fact]
    public void TheDefaultHeadLimit_Is64KiB()
    {
        var huge = "HTTP/1.1 200 OK\r\nX-Big: " + new string('b', 64 * 1024) + "\r\n\r\n";

        AssertInvalid(huge, "larger than 65536 bytes");
    }

    [Fact]
    public void AHeadWithMoreThanTheFieldLimit_IsRefused()
    {
        var limits = new Http1Limits { MaxFields = 10 };
        string Head(int fields) => "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, fields).Select(i => $"X-{i}: {i}\r\n")) + "\r\n";

        Assert.Equal(ParseStatus.Complete, Parse(Head(10), limits: limits).Status);
        AssertInvalid(Head(11), "more than 10 fields", limits);
    }

    [Fact]
    public void AfterARefusal_TheParserKeepsRefusing()
    {
        var parser = new ResponseHeadParser();
        parser.Reset(requestWasHead: false);

        Assert.Equal(ParseStatus.Invalid, parser.Parse(new System.Buffers.ReadOnlySequence<byte>("HTTP/1.1 200\r\n"u8.ToArray())).Status);
        var again = parser.Parse(new System.Buffers.ReadOnlySequence<byte>("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray()));
        Assert.Equal(ParseStatus.Invalid, again.Status);
    }

    [Fact]
    public void ResetAfterAComplete_StartsAFreshHead()
    {
        var parser = new ResponseHeadParser();
        parser.Reset(requestWasHead: true);
        Assert.Equal(BodyFraming.None, parser.Parse(new System.Buffers.ReadOnlySequence<byte>("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"u8.ToArray())).Head!.Framing);

        parser.Reset(requestWasHead: false);
        var next = parser.Parse(new System.Buffers.ReadOnlySequence<byte>("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"u8.ToArray()));

        Assert.Equal((BodyFraming.ContentLength, 3L, 1), (next.Head!.Framing, next.Head.ContentLength, next.Head.Fields.Count));
    }
}
