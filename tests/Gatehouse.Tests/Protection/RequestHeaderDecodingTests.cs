using System.Text;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

/// <summary>The decoder Kestrel calls for every request header field: it refuses bad fields by throwing, as Kestrel expects.</summary>
public class RequestHeaderDecodingTests
{
    private static string Decode(string name, string value) => RequestHeaderDecoding.Select(name).GetString(Encoding.UTF8.GetBytes(value));

    [Theory]
    [InlineData("X-A", "plain value")]
    [InlineData("Accept", "text/html,\tapplication/json")]
    [InlineData("X-Name", "Zoë")]
    [InlineData(":method", "GET")] // HTTP/2 and HTTP/3 pseudo-header fields
    [InlineData(":authority", "example.test:8443")]
    public void Select_ValidFields_DecodeUnchanged(string name, string value) => Assert.Equal(value, Decode(name, value));

    [Theory]
    [InlineData("X(A)", "b")]
    [InlineData("X A", "b")]
    [InlineData("X-A", "a\u0001b")]
    [InlineData("X-A", "a\rb")]
    [InlineData("X-A", "a\u007fb")]
    [InlineData("Connection", "keep-alive\u0000")]
    [InlineData(":path", "/a\u0000b")]
    [InlineData(":", "b")]
    public void Select_BadFields_Throw(string name, string value) => Assert.Throws<DecoderFallbackException>(() => Decode(name, value));

    [Fact]
    public void Select_InvalidUtf8_Throws() =>
        Assert.Throws<DecoderFallbackException>(() => RequestHeaderDecoding.Select("X-A").GetString([0x63, 0xE9, 0x20]));

    [Theory]
    [InlineData("keep-alive", "keep-alive")]
    [InlineData("keep-alive, X-Foo", "X-Foo")]
    [InlineData("close, X-Foo", "close, X-Foo, keep-alive")]
    public void Select_Connection_IsRewrittenSoKestrelKeepsTheNames(string value, string expected) =>
        Assert.Equal(expected, Decode("Connection", value));
}
