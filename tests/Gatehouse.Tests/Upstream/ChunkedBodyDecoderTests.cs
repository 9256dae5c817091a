using System.Text;
using Gatehouse.Http1;
using Gatehouse.Tests.Upstream.Support;

namespace Gatehouse.Tests.Upstream;

public class ChunkedBodyDecoderTests
{
    /// <summary>Decodes <paramref name="raw"/> split every way <see cref="Segments.Splits"/> knows; all must agree.</summary>
    private static ChunkedOutcome Decode(string raw, Http1Limits? limits = null)
    {
        var bytes = Encoding.Latin1.GetBytes(raw);
        var whole = ChunkedFeeder.Feed([bytes], limits);
        foreach (var pieces in Segments.Splits(bytes))
        {
            Assert.Equal(whole, ChunkedFeeder.Feed(pieces, limits));
        }

        return whole;
    }

    private static void AssertInvalid(string raw, string reason, Http1Limits? limits = null)
    {
        var outcome = Decode(raw, limits);
        Assert.Equal(ChunkedStepKind.Invalid, outcome.Kind);
        Assert.Contains(reason, outcome.Error);
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("0\r\n\r\n", "")]
    [InlineData("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n", "hello world")]
    [InlineData("a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij")]
    [InlineData("0005\r\nhello\r\n000\r\n\r\n", "hello")]
    [InlineData("5;name\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello")]
    [InlineData("5 ; a = b ;c;d=\"q \\\" \\\\ \t\u00e9\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\r\nhe\r\nl\r\n0\r\n\r\n", "he\r\nl")]
    public void AValidBody_IsDecoded_AndConsumedToItsLastByte(string raw, string body)
    {
        var outcome = Decode(raw);

        Assert.Equal(new ChunkedOutcome(ChunkedStepKind.Complete, body, raw.Length, "", null), outcome);
    }

    [Fact]
    public void Trailers_AreParsed()
    {
        var outcome = Decode("3\r\nabc\r\n0\r\nX-Checksum: 900150983cd24fb0\r\nServer-Timing:  db;dur=53 \r\n\r\n");

        Assert.Equal("X-Checksum: [900150983cd24fb0] | Server-Timing: [db;dur=53]", outcome.Trailers);
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("0\r\n\r\n", "\r\n")]
    [InlineData("0\r\n\r\n", "x")]
    public void BytesAfterTheLastChunk_AreLeftUnconsumed_AndForbidReuse(string body, string after)
    {
        var outcome = Decode(body + after);

        Assert.Equal(ChunkedStepKind.Complete, outcome.Kind);
        Assert.Equal(body.Length, outcome.Consumed);
        var head = new ResponseHeadParser();
        head.Reset(requestWasHead: false);
        var response = head.Parse(new System.Buffers.ReadOnlySequence<byte>("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray())).Head!;
        Assert.False(ConnectionReuse.MayReuse(response, bodyReadToEnd: true, bytesAfterEnd: (body + after).Length - outcome.Consumed));
        Assert.True(ConnectionReuse.MayReuse(response, bodyReadToEnd: true, bytesAfterEnd: 0));
        Assert.False(ConnectionReuse.MayReuse(response, bodyReadToEnd: false, bytesAfterEnd: 0));
    }

    [Theory]
    [InlineData("5\r\nhel")]
    [InlineData("5\r\nhello")]
    [InlineData("5\r\nhello\r")]
    [InlineData("5\r\nhello\r\n0\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nX-T: 1\r\n")]
    [InlineData("7fffffffffffffff\r\nabc")]
    public void AnUnfinishedBody_NeedsMoreData(string raw)
    {
        Assert.Equal(ChunkedStepKind.NeedMoreData, Decode(raw).Kind);
    }

    [Theory]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n", "other than an extension")]
    [InlineData("+5\r\nhello\r\n0\r\n\r\n", "not 1*HEXDIG")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n", "not 1*HEXDIG")]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n", "not 1*HEXDIG")]
    [InlineData("\t5\r\nhello\r\n0\r\n\r\n", "not 1*HEXDIG")]
    [InlineData("_5\r\nhello\r\n0\r\n\r\n", "not 1*HEXDIG")]
    [InlineData("5_0\r\nhello\r\n0\r\n\r\n", "other than an extension")]
    [InlineData("5 0\r\nhello\r\n0\r\n\r\n", "other than an extension")]
    [InlineData("5 \r\nhello\r\n0\r\n\r\n", "other than an extension")]
    [InlineData("g\r\n", "not 1*HEXDIG")]
    [InlineData("\r\n", "not 1*HEXDIG")]
    [InlineData("5\r\nhello\r\n\r\n", "not 1*HEXDIG")]
    [InlineData("\u0665\r\n", "not 1*HEXDIG")]
    [InlineData("8000000000000000\r\n", "too large")]
    [InlineData("fffffffffffffffff\r\n", "too large")]
    [InlineData("10000000000000000\r\n", "too large")]
    public void AChunkSizeThatIsNot1HexDig_IsRefused(string raw, string reason)
    {
        AssertInvalid(raw, reason);
    }

    [Theory]
    [InlineData("5;\r\nhello\r\n0\r\n\r\n", "without a name")]
    [InlineData("5;=x\r\nhello\r\n0\r\n\r\n", "without a name")]
    [InlineData("5;a=\r\nhello\r\n0\r\n\r\n", "empty or invalid value")]
    [InlineData("5;a=b c\r\nhello\r\n0\r\n\r\n", "other than an extension")]
    [InlineData("5;a=b \r\nhello\r\n0\r\n\r\n", "other than an extension")]
    [InlineData("5;a\t\r\nhello\r\n0\r\n\r\n", "other than an extension")]
    [InlineData("5;a=\"open\r\nhello\r\n0\r\n\r\n", "unterminated")]
    [InlineData("5;a=\"x\\\r\nhello\r\n0\r\n\r\n", "unterminated")]
    [InlineData("5;a=\"x\0\"\r\nhello\r\n0\r\n\r\n", "control character")]
    [InlineData("5;a=\"x\rx\"\r\nhello\r\n0\r\n\r\n", "control character")]
    [InlineData("5;a=\u0001\r\nhello\r\n0\r\n\r\n", "empty or invalid value")]
    [InlineData("5;a,b\r\nhello\r\n0\r\n\r\n", "other than an extension")]
    public void AChunkExtensionBreakingTheGrammar_IsRefused(string raw, string reason)
    {
        AssertInvalid(raw, reason);
    }

    [Theory]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhello\rX0\r\n\r\n")]
    [InlineData("5\r\nhello world\r\n0\r\n\r\n")]
    [InlineData("5\r\nhell\r\n0\r\n\r\n")]
    public void ChunkDataNotFollowedByCrlf_IsRefused(string raw)
    {
        AssertInvalid(raw, "not followed by CRLF");
    }

    [Theory]
    [InlineData("5\nhello\r\n0\r\n\r\n", "chunk-size line ends in a bare LF")]
    [InlineData("0\n\r\n", "chunk-size line ends in a bare LF")]
    [InlineData("0\r\n\n", "trailer line ends in a bare LF")]
    [InlineData("0\r\nX: 1\n\r\n", "trailer line ends in a bare LF")]
    public void ABareLineFeed_IsRefused(string raw, string reason)
    {
        AssertInvalid(raw, reason);
    }

    [Theory]
    [InlineData("X : 1", "whitespace between a field name and its colon")]
    [InlineData("X: a\0b", "NUL")]
    [InlineData("X: a\rb", "bare CR")]
    [InlineData(" X: 1", "obs-fold")]
    [InlineData("X: 1\r\n continued", "obs-fold")]
    [InlineData("X Y: 1", "not a token")]
    [InlineData("no colon", "no colon")]
    public void ATrailerBreakingTheFieldRules_IsRefused(string trailer, string reason)
    {
        AssertInvalid($"0\r\n{trailer}\r\n\r\n", reason);
        Assert.StartsWith("trailer: ", Decode($"0\r\n{trailer}\r\n\r\n").Error);
    }

    [Fact]
    public void ASizeLineLongerThanTheLimit_IsRefused_EvenBeforeItEnds()
    {
        var limits = new Http1Limits { MaxChunkLineBytes = 64 };
        var fits = "5;" + new string('x', 64 - 4) + "\r\n"; // 64 bytes with the CRLF

        Assert.Equal(ChunkedStepKind.Complete, Decode(fits + "hello\r\n0\r\n\r\n", limits).Kind);
        AssertInvalid("5;" + new string('x', 64 - 3) + "\r\nhello\r\n0\r\n\r\n", "longer than 64 bytes", limits);
        AssertInvalid("5;" + new string('x', 100), "longer than 64 bytes", limits);
        AssertInvalid("0000000000000000000000000000000000000000000000000000000000000000000000005", "longer than 64 bytes", limits);
    }

    [Fact]
    public void TrailersBeyondTheLimits_AreRefused()
    {
        var fieldLimit = new Http1Limits { MaxFields = 3 };
        Assert.Equal(ChunkedStepKind.Complete, Decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", fieldLimit).Kind);
        AssertInvalid("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", "more than 3 fields", fieldLimit);

        var sizeLimit = new Http1Limits { MaxTrailerBytes = 32 };
        Assert.Equal(ChunkedStepKind.Complete, Decode("0\r\nX: " + new string('t', 32 - 7) + "\r\n\r\n", sizeLimit).Kind);
        AssertInvalid("0\r\nX: " + new string('t', 32 - 6) + "\r\n\r\n", "larger than 32 bytes", sizeLimit);
    }

    [Fact]
    public void AfterARefusal_TheDecoderKeepsRefusing_UntilReset()
    {
        var decoder = new ChunkedBodyDecoder();
        decoder.Reset();
        Assert.Equal(ChunkedStepKind.Invalid, decoder.Decode(new System.Buffers.ReadOnlySequence<byte>("x\r\n"u8.ToArray())).Kind);
        Assert.Equal(ChunkedStepKind.Invalid, decoder.Decode(new System.Buffers.ReadOnlySequence<byte>("0\r\n\r\n"u8.ToArray())).Kind);

        decoder.Reset();
        Assert.Equal(ChunkedStepKind.Complete, decoder.Decode(new System.Buffers.ReadOnlySequence<byte>("0\r\n\r\n"u8.ToArray())).Kind);
    }
}
