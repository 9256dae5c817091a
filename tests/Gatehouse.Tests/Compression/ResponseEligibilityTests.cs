using Gatehouse.Compression;
using Gatehouse.Configuration;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Compression;

public sealed class ResponseEligibilityTests
{
    private static readonly CompressibleTypes Types = new(CompressionDefinition.DefaultTypes);

    [Theory]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("TEXT/CSS")]
    [InlineData("application/json")]
    [InlineData("application/problem+json")]
    [InlineData("application/atom+xml")]
    [InlineData("image/svg+xml")]
    [InlineData("application/javascript")]
    [InlineData("application/wasm")]
    [InlineData("font/ttf")]
    public void CompressibleTypes_AreEligible(string type) =>
        Assert.Equal(CompressionRefusal.Eligible, Decide(200, ("Content-Type", type)));

    [Theory]
    [InlineData("image/png")]
    [InlineData("image/jpeg")]
    [InlineData("video/mp4")]
    [InlineData("application/zip")]
    [InlineData("application/octet-stream")]
    [InlineData("font/woff2")]
    [InlineData("text/event-stream")]
    [InlineData("")]
    [InlineData("html")]
    public void OtherTypes_AreNot(string type) =>
        Assert.Equal(CompressionRefusal.Type, Decide(200, ("Content-Type", type)));

    [Fact]
    public void NoContentType_IsNot() => Assert.Equal(CompressionRefusal.Type, Decide(200));

    [Fact]
    public void EventStream_WhenListed_Is() =>
        Assert.True(new CompressibleTypes(["text/*", "text/event-stream"]).Matches("text/event-stream"));

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    [InlineData(101)]
    public void NoContent(int status) => Assert.Equal(CompressionRefusal.NoBody, Decide(status, ("Content-Type", "text/html")));

    [Fact]
    public void PartialContent() => Assert.Equal(CompressionRefusal.PartialContent, Decide(206, ("Content-Type", "text/html")));

    [Fact]
    public void ContentRange_OnAnyStatus() =>
        Assert.Equal(CompressionRefusal.PartialContent, Decide(416, ("Content-Type", "text/html"), ("Content-Range", "bytes */10")));

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("something")]
    public void AlreadyEncoded(string encoding) =>
        Assert.Equal(CompressionRefusal.AlreadyEncoded, Decide(200, ("Content-Type", "text/html"), ("Content-Encoding", encoding)));

    [Fact]
    public void IdentityEncoding_IsNotAnEncoding() =>
        Assert.Equal(CompressionRefusal.Eligible, Decide(200, ("Content-Type", "text/html"), ("Content-Encoding", "identity")));

    [Theory]
    [InlineData("no-transform")]
    [InlineData("public, No-Transform, max-age=60")]
    public void NoTransform(string cacheControl) =>
        Assert.Equal(CompressionRefusal.NoTransform, Decide(200, ("Content-Type", "text/html"), ("Cache-Control", cacheControl)));

    [Theory]
    [InlineData("1023", CompressionRefusal.TooSmall)]
    [InlineData("1024", CompressionRefusal.Eligible)]
    [InlineData("0", CompressionRefusal.TooSmall)]
    public void MinimumSize(string length, CompressionRefusal expected) =>
        Assert.Equal(expected, Decide(200, ("Content-Type", "text/html"), ("Content-Length", length)));

    [Fact]
    public void UnknownLength_IsEligible() => Assert.Equal(CompressionRefusal.Eligible, Decide(200, ("Content-Type", "text/plain")));

    [Fact]
    public void ErrorPages_AreContentToo() => Assert.Equal(CompressionRefusal.Eligible, Decide(404, ("Content-Type", "text/html")));

    [Theory]
    [InlineData("text/*", true)]
    [InlineData("*/*+json", true)]
    [InlineData("application/json", true)]
    [InlineData("*/*", false)]
    [InlineData("text", false)]
    [InlineData("text/html/x", false)]
    [InlineData("*/json", false)]
    [InlineData("text/ html", false)]
    public void Patterns(string pattern, bool valid) => Assert.Equal(valid, CompressibleTypes.IsPattern(pattern));

    private static CompressionRefusal Decide(int status, params (string Name, string Value)[] fields)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in fields)
        {
            headers[name] = value;
        }
        return ResponseEligibility.Decide(status, headers, Types, 1024);
    }
}
