namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §1.2.2 Delta Seconds.</summary>
public class Rfc9111_1_2_2_DeltaSecondsTests
{
    private static readonly TimeSpan TwoToThe31 = TimeSpan.FromSeconds(2147483648);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("60", 60)]
    [InlineData("007", 7)]
    [InlineData("2147483647", 2147483647)]
    [InlineData("2147483648", 2147483648)]
    public void Parse_Digits_GivesSeconds(string text, long seconds)
    {
        Assert.True(DeltaSeconds.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    // §1.2.2 MUST: a value greater than the greatest integer the cache can represent is taken as 2^31.
    [Theory]
    [InlineData("2147483649")]
    [InlineData("99999999999999999999999999999")]
    public void Parse_Overflow_IsTwoToThe31_Section1_2_2(string text)
    {
        Assert.True(DeltaSeconds.TryParse(text, out var value));
        Assert.Equal(TwoToThe31, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999x")]
    public void Parse_NotOneOrMoreDigits_Fails(string text)
    {
        Assert.False(DeltaSeconds.TryParse(text, out _));
    }

    // §1.2.2 MUST: "an overflow [must] be detected and not treated as a negative value in later calculations".
    [Fact]
    public void MaxAge_Overflow_StaysPositiveThroughFreshness_Section1_2_2()
    {
        var headers = Http.Headers(("Cache-Control", "max-age=999999999999999999999"));
        var freshness = Http.FreshnessOf(200, headers);

        Assert.Equal(TwoToThe31, freshness.Lifetime);
        Assert.True(freshness.IsFresh(Http.At(86_400 * 365)));
    }

    [Fact]
    public void Age_Overflow_CapsCurrentAgeAtTwoToThe31_Section1_2_2()
    {
        var headers = Http.Headers(("Age", "999999999999999999999"));
        var age = ResponseAge.CorrectedInitialAge(headers, Http.Now, Http.At(10));

        Assert.Equal(TwoToThe31, age);
        Assert.Equal(TwoToThe31, ResponseAge.Current(age, Http.At(10), Http.At(1000)));
        Assert.Equal("2147483648", ResponseAge.ToHeaderValue(ResponseAge.Current(age, Http.At(10), Http.At(1000))));
    }
}
