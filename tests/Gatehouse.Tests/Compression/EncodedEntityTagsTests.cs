using Gatehouse.Compression;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Compression;

public sealed class EncodedEntityTagsTests
{
    [Theory]
    [InlineData("\"abc\"", ContentCoding.Gzip, "\"abc-gzip\"")]
    [InlineData("W/\"abc\"", ContentCoding.Brotli, "W/\"abc-br\"")]
    [InlineData("\"\"", ContentCoding.Zstd, "\"-zstd\"")]
    public void ForCoding(string etag, ContentCoding coding, string expected) => Assert.Equal(expected, EncodedEntityTags.ForCoding(etag, coding));

    [Theory]
    [InlineData("abc")]
    [InlineData("\"a\"b\"")]
    [InlineData("")]
    public void NotAnEntityTag_IsLeftAlone(string etag) => Assert.Null(EncodedEntityTags.ForCoding(etag, ContentCoding.Gzip));

    [Theory]
    [InlineData("\"abc-gzip\"", "\"abc\"")]
    [InlineData("W/\"abc-br\"", "W/\"abc\"")]
    [InlineData("\"abc-zstd\", \"def\"", "\"abc\", \"def\"")]
    [InlineData("\"abc-br\", \"abc-gzip\"", "\"abc\"")]
    [InlineData("*", "*")]
    [InlineData("\"abc-deflate\"", "\"abc-deflate\"")]
    [InlineData("\"abc-x-gzip\"", "\"abc-x\"")] // the last dash: a backend tag "abc-x" gzipped
    public void ToIdentity(string field, string expected) => Assert.Equal(expected, EncodedEntityTags.ToIdentity(field).ToString());

    [Fact]
    public void StripCoding_SaysWhichCoding()
    {
        Assert.Equal("\"v1\"", EncodedEntityTags.StripCoding("\"v1-br\"", out var coding));
        Assert.Equal(ContentCoding.Brotli, coding);
        Assert.Equal("\"v1\"", EncodedEntityTags.StripCoding("\"v1\"", out coding));
        Assert.Null(coding);
    }

    [Theory]
    [InlineData(null, "Accept-Encoding")]
    [InlineData("Origin", "Origin, Accept-Encoding")]
    [InlineData("accept-encoding", "accept-encoding")]
    [InlineData("Origin, Accept-Encoding", "Origin, Accept-Encoding")]
    [InlineData("*", "*")]
    public void Vary_GainsAcceptEncodingOnce(string? vary, string expected)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (vary is not null)
        {
            headers.Vary = vary;
        }
        VaryField.AddAcceptEncoding(headers);
        VaryField.AddAcceptEncoding(headers);
        Assert.Equal(expected, headers.Vary.ToString());
    }
}
