using Gatehouse.StaticFiles;

namespace Gatehouse.Tests.StaticFiles;

/// <summary>RFC 9110 §12.5.3 for choosing a precompressed sibling.</summary>
public sealed class PrecompressedSiblingsTests
{
    private static readonly SiblingCoding[] Route = [SiblingCoding.Brotli, SiblingCoding.Zstd, SiblingCoding.Gzip];

    [Theory]
    [InlineData("gzip, deflate, br, zstd", "br,zstd,gzip")] // equal weights: the route's order
    [InlineData("gzip", "gzip")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("GZIP, BR", "br,gzip")]
    [InlineData("gzip;q=1, br;q=0.5", "gzip,br")] // the client's weights first
    [InlineData("*", "br,zstd,gzip")]
    [InlineData("br;q=0, *", "zstd,gzip")]
    [InlineData("*;q=0.1, gzip", "gzip,br,zstd")]
    [InlineData("identity", "")]
    [InlineData("deflate, compress", "")]
    [InlineData("gzip;q=0, br;q=0, zstd;q=0", "")]
    [InlineData("", "")]
    public void Order(string acceptEncoding, string expected) =>
        Assert.Equal(expected, string.Join(",", PrecompressedSiblings.Order(acceptEncoding, Route).Select(c => c.Name)));

    [Fact]
    public void NoField_OrNoSiblingsConfigured_TriesNone()
    {
        Assert.Empty(PrecompressedSiblings.Order(default, Route));
        Assert.Empty(PrecompressedSiblings.Order("br", []));
    }

    [Theory]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("style.css", "text/css; charset=utf-8")]
    [InlineData("data.json", "application/json")]
    [InlineData("logo.png", "image/png")]
    [InlineData("app.wasm", "application/wasm")]
    [InlineData("backup.tar.gz", "application/x-gzip")] // a .gz file is content, not an encoding
    [InlineData("README", "application/octet-stream")]
    [InlineData("x.unknownext", "application/octet-stream")]
    public void ContentTypes(string name, string type) => Assert.Equal(type, FileContentTypes.Of(name));
}
