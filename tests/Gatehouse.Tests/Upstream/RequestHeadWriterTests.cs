using System.Buffers;
using System.Text;
using Gatehouse.Http1;
using Gatehouse.Tests.Upstream.Support;

namespace Gatehouse.Tests.Upstream;

public class RequestHeadWriterTests
{
    private static (string? Error, string Written) Write(string method, string target, string host, (string, string)[] fields, RequestBodyFraming framing, long length = 0)
    {
        var output = new ArrayBufferWriter<byte>();
        var error = RequestHeadWriter.Write(output, method, target, host, fields.Select(f => KeyValuePair.Create(f.Item1, f.Item2)).ToList(), framing, length);
        return (error, Encoding.Latin1.GetString(output.WrittenSpan));
    }

    [Fact]
    public void AHead_IsWrittenWithHostFirst_AndGatehousesFraming()
    {
        var (error, written) = Write("POST", "/a/b?c=d", "api.example:8080", [("Accept", "*/*")], RequestBodyFraming.ContentLength, 12);

        Assert.Null(error);
        Assert.Equal("POST /a/b?c=d HTTP/1.1\r\nHost: api.example:8080\r\nAccept: */*\r\nContent-Length: 12\r\n\r\n", written);
    }

    [Fact]
    public void TheClientsFramingAndHost_AreNeverWritten()
    {
        var (error, written) = Write("PUT", "/", "backend", [("content-length", "5"), ("Transfer-Encoding", "chunked"), ("HOST", "evil"), ("X-A", "1")], RequestBodyFraming.Chunked);

        Assert.Null(error);
        Assert.Equal("PUT / HTTP/1.1\r\nHost: backend\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n", written);
    }

    [Fact]
    public void NoBody_WritesNoFramingField_AndValuesKeepLatin1AndTabs()
    {
        var (error, written) = Write("GET", "*", "h", [("X-Obs", "caf\u00e9\tau lait")], RequestBodyFraming.None);

        Assert.Null(error);
        Assert.Equal("GET * HTTP/1.1\r\nHost: h\r\nX-Obs: caf\u00e9\tau lait\r\n\r\n", written);
    }

    [Theory]
    [InlineData("X-A", "a\r\nX-Injected: 1", "CR, LF or NUL")]
    [InlineData("X-A", "a\nb", "CR, LF or NUL")]
    [InlineData("X-A", "a\rb", "CR, LF or NUL")]
    [InlineData("X-A", "a\0b", "CR, LF or NUL")]
    [InlineData("X-A", "\u20ac", "beyond Latin-1")]
    [InlineData("X A", "1", "not a token")]
    [InlineData("X-A:", "1", "not a token")]
    [InlineData("", "1", "not a token")]
    [InlineData("X-\u00e9", "1", "not a token")]
    public void AFieldThatWouldBreakTheHead_IsRefused_AndNothingIsWritten(string name, string value, string reason)
    {
        var (error, written) = Write("GET", "/", "h", [("X-Before", "ok"), (name, value)], RequestBodyFraming.None);

        Assert.Contains(reason, error);
        Assert.Equal("", written);
    }

    [Theory]
    [InlineData("GE T", "/", "h", "method")]
    [InlineData("", "/", "h", "method")]
    [InlineData("GET", "/a b", "h", "request target")]
    [InlineData("GET", "/a\r\nX: y", "h", "request target")]
    [InlineData("GET", "http://h/", "h", "request target")]
    [InlineData("GET", "/caf\u00e9", "h", "request target")]
    [InlineData("GET", "/", "", "Host")]
    [InlineData("GET", "/", "h\r\nX: y", "Host")]
    [InlineData("GET", "/", "h h", "Host")]
    public void ARequestLineOrHostThatWouldBreakTheHead_IsRefused(string method, string target, string host, string reason)
    {
        var (error, written) = Write(method, target, host, [], RequestBodyFraming.None);

        Assert.Contains(reason, error);
        Assert.Equal("", written);
    }

    [Fact]
    public void ChunkedBodies_AreWrittenSoThatTheDecoderReadsThemBack()
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkedBodyWriter.WriteChunk(output, "hello "u8);
        ChunkedBodyWriter.WriteChunk(output, ReadOnlySpan<byte>.Empty);
        ChunkedBodyWriter.WriteChunk(output, Encoding.ASCII.GetBytes(new string('x', 300)));
        ChunkedBodyWriter.WriteEnd(output);

        Assert.StartsWith("6\r\nhello \r\n12c\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
        var decoded = ChunkedFeeder.Feed([output.WrittenSpan.ToArray()]);
        Assert.Equal(new ChunkedOutcome(ChunkedStepKind.Complete, "hello " + new string('x', 300), output.WrittenCount, "", null), decoded);
    }
}
