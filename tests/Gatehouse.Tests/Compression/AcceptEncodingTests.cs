using Gatehouse.Compression;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Tests.Compression;

/// <summary>RFC 9110 §12.5.3 negotiation, with Gatehouse's default preference zstd, br, gzip.</summary>
public sealed class AcceptEncodingTests
{
    private static readonly IReadOnlyList<ContentCoding> Preference = ContentCodings.DefaultPreference;

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("zstd", "zstd")]
    [InlineData("gzip, deflate, br, zstd", "zstd")] // equal weights: the server's preference
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip;q=1, br;q=0.5", "gzip")] // the client's weights come first
    [InlineData("br;q=0.2, gzip;q=0.8, zstd;q=0.1", "gzip")]
    [InlineData("GZIP", "gzip")] // case-insensitive (§8.4.1)
    [InlineData("x-gzip", "gzip")] // §8.4.1.3
    [InlineData(" \tgzip ;  q=0.5 , br ; q=0.4", "gzip")]
    [InlineData("*", "zstd")]
    [InlineData("*;q=0.5, gzip", "gzip")]
    [InlineData("br;q=0, *", "zstd")]
    [InlineData("zstd;q=0, br;q=0, *", "gzip")]
    [InlineData("gzip, identity", "gzip")]
    [InlineData("gzip;Q=0.5", "gzip")]
    public void Chooses(string header, string expected) =>
        Assert.Equal(expected, Name(AcceptEncoding.Choose(header, Preference)));

    [Theory]
    [InlineData("")] // an empty value: identity only (§12.5.3)
    [InlineData("identity")]
    [InlineData("compress, deflate")] // unknown or unsupported codings
    [InlineData("gzip;q=0, br;q=0, zstd;q=0")]
    [InlineData("*;q=0, identity")]
    [InlineData("gzip;q=0.5, identity;q=0.9")] // the client prefers the representation as it is
    [InlineData("gzip;q=2")] // malformed weights say nothing
    [InlineData("gzip;q=1.5")]
    [InlineData("gzip;q=0.1234")]
    [InlineData("gzip;level=9")] // no such parameter
    [InlineData("gz ip")]
    public void SendsIdentity(string header) =>
        Assert.Null(AcceptEncoding.Choose(header, Preference).Coding);

    [Fact]
    public void NoHeader_Identity_NotRefused()
    {
        var choice = AcceptEncoding.Choose(StringValues.Empty, Preference);
        Assert.Equal(new EncodingChoice(null, false), choice);
    }

    [Theory]
    [InlineData("identity;q=0", true)]
    [InlineData("*;q=0", true)]
    [InlineData("compress, identity;q=0", true)]
    [InlineData("*;q=0, identity;q=0.1", false)]
    [InlineData("gzip;q=0", false)]
    public void IdentityRefused_IsReported_WhenNothingElseFits(string header, bool refused)
    {
        var choice = AcceptEncoding.Choose(header, Preference);
        Assert.Null(choice.Coding);
        Assert.Equal(refused, choice.IdentityRefused);
    }

    [Fact]
    public void IdentityRefused_ButACodingFits_UsesIt() =>
        Assert.Equal(new EncodingChoice(ContentCoding.Gzip, false), AcceptEncoding.Choose("gzip, identity;q=0", Preference));

    [Fact]
    public void ServerPreference_IsTheRouteOrder() =>
        Assert.Equal(ContentCoding.Gzip, AcceptEncoding.Choose("gzip, br, zstd", [ContentCoding.Gzip, ContentCoding.Brotli]).Coding);

    [Fact]
    public void CodingsTheRouteDoesNotMake_AreNeverChosen() =>
        Assert.Null(AcceptEncoding.Choose("zstd", [ContentCoding.Gzip]).Coding);

    [Fact]
    public void SeveralFieldLines_AreOneList() =>
        Assert.Equal(ContentCoding.Brotli, AcceptEncoding.Choose(new StringValues(["gzip;q=0.5", "br"]), Preference).Coding);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.5", 500)]
    [InlineData("0.001", 1)]
    [InlineData("1", 1000)]
    [InlineData("1.000", 1000)]
    [InlineData("0.", 0)]
    public void QValues(string text, int thousandths)
    {
        Assert.True(AcceptEncoding.TryParseQValue(text, out var value));
        Assert.Equal(thousandths, value);
    }

    [Theory]
    [InlineData("1.001")]
    [InlineData("2")]
    [InlineData(".5")]
    [InlineData("0.5000")]
    [InlineData("-0")]
    [InlineData("")]
    public void BadQValues(string text) => Assert.False(AcceptEncoding.TryParseQValue(text, out _));

    private static string? Name(EncodingChoice choice) => choice.Coding is { } coding ? ContentCodings.Name(coding) : null;
}
