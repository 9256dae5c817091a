namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.2 date parsing rules for caches, over RFC 9110 §5.6.7 HTTP-date.</summary>
public class Rfc9111_4_2_HttpDateTests
{
    private static readonly DateTimeOffset Expected = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    private static DateTimeOffset? Parse(string text, int referenceYear = 2025) =>
        HttpDate.TryParse(text, new DateTimeOffset(referenceYear, 1, 1, 0, 0, 0, TimeSpan.Zero), out var value) ? value : null;

    // RFC 9110 §5.6.7 MUST: all three formats are accepted.
    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994")]
    public void ThreeFormats_AreAccepted_Rfc9110_5_6_7(string text)
    {
        Assert.Equal(Expected, Parse(text));
    }

    // §4.2 SHOULD: a cache matches date field values case-insensitively.
    [Theory]
    [InlineData("sun, 06 nov 1994 08:49:37 gmt")]
    [InlineData("SUNDAY, 06-NOV-94 08:49:37 GMT")]
    [InlineData("SUN NOV  6 08:49:37 1994")]
    public void Case_IsIgnored_Section4_2(string text)
    {
        Assert.Equal(Expected, Parse(text));
    }

    // §4.2 SHOULD: a zone abbreviation other than GMT is invalid.
    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 UTC")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 PST")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 +0000")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 EST")]
    public void ZoneOtherThanGmt_IsInvalid_Section4_2(string text)
    {
        Assert.Null(Parse(text));
    }

    // §4.2 MUST: a parsed date is represented as the nearest time equal to or earlier than the value: ":60" is ":59".
    [Fact]
    public void LeapSecond_IsTheSecondBefore_Section4_2()
    {
        Assert.Equal(new DateTimeOffset(2016, 12, 31, 23, 59, 59, TimeSpan.Zero), Parse("Sat, 31 Dec 2016 23:59:60 GMT"));
    }

    // RFC 9110 §5.6.7 MUST: a two-digit year more than 50 years in the future is in the past century.
    [Theory]
    [InlineData("Monday, 01-Jan-74 00:00:00 GMT", 2025, 2074)]
    [InlineData("Monday, 01-Jan-76 00:00:00 GMT", 2025, 1976)]
    [InlineData("Monday, 01-Jan-25 00:00:00 GMT", 2025, 2025)]
    [InlineData("Monday, 01-Jan-99 00:00:00 GMT", 2060, 2099)]
    public void TwoDigitYears_UseTheFiftyYearRule_Rfc9110_5_6_7(string text, int referenceYear, int year)
    {
        Assert.Equal(year, Parse(text, referenceYear)?.Year);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("tomorrow")]
    [InlineData("Sun, 6 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 94 08:49:37 GMT")]
    [InlineData("Sun, 31 Feb 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 24:00:00 GMT")]
    [InlineData("Sun, 06 Nov 1994 08:60:00 GMT")]
    [InlineData("Sun,06 Nov 1994 08:49:37 GMT")]
    [InlineData("Xyz, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Foo 1994 08:49:37 GMT")]
    [InlineData("1994-11-06T08:49:37Z")]
    public void Invalid_IsRejected(string text)
    {
        Assert.Null(Parse(text));
    }

    [Fact]
    public void SurroundingWhitespace_IsTolerated()
    {
        Assert.Equal(Expected, Parse("  Sun, 06 Nov 1994 08:49:37 GMT "));
    }

    [Fact]
    public void RepeatedFieldLines_WithDifferentValues_AreInvalid()
    {
        var reference = DateTimeOffset.UnixEpoch;

        Assert.False(HttpDate.TryParse(new Microsoft.Extensions.Primitives.StringValues(["Sun, 06 Nov 1994 08:49:37 GMT", "Mon, 07 Nov 1994 08:49:37 GMT"]), reference, out _));
        Assert.True(HttpDate.TryParse(new Microsoft.Extensions.Primitives.StringValues(["Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"]), reference, out _));
    }
}
