namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.2.3 Calculating Age, and §5.1 Age.</summary>
public class Rfc9111_4_2_3_AgeCalculationTests
{
    // request at t=0, response at t=2: response_delay = 2.
    private static readonly DateTimeOffset RequestTime = Http.Now;
    private static readonly DateTimeOffset ResponseTime = Http.At(2);

    private static TimeSpan Initial(params (string, string)[] fields) =>
        ResponseAge.CorrectedInitialAge(Http.Headers(fields), RequestTime, ResponseTime);

    // apparent_age = max(0, response_time - date_value); no Age: corrected_age_value = response_delay.
    [Fact]
    public void ApparentAge_WinsWhenLarger_Section4_2_3()
    {
        // Date 10 s before the response arrived: apparent 10 > corrected 0 + 2.
        Assert.Equal(Http.Seconds(10), Initial(("Date", Http.Date(ResponseTime.AddSeconds(-10)))));
    }

    // §4.2.3 MUST: corrected_age_value is relative to the time the request was initiated: age_value + response_delay.
    [Fact]
    public void CorrectedAgeValue_AddsTheResponseDelay_Section4_2_3()
    {
        Assert.Equal(Http.Seconds(32), Initial(("Date", Http.Date(ResponseTime)), ("Age", "30")));
    }

    [Fact]
    public void DateInTheFuture_GivesNoNegativeApparentAge_Section4_2_3()
    {
        Assert.Equal(Http.Seconds(2), Initial(("Date", Http.Date(ResponseTime.AddSeconds(3600)))));
    }

    [Fact]
    public void NoDate_ApparentAgeIsZero_Section4_2_3()
    {
        Assert.Equal(Http.Seconds(2), Initial());
        Assert.Equal(Http.Seconds(7), Initial(("Age", "5")));
    }

    // §5.1 SHOULD: a list-based Age uses its first member.
    [Fact]
    public void ListAge_UsesTheFirstMember_Section5_1()
    {
        Assert.Equal(Http.Seconds(7), Initial(("Age", "5, 100")));
        Assert.Equal(Http.Seconds(7), Initial(("Age", "5"), ("Age", "100")));
    }

    // §5.1 SHOULD: an invalid Age is ignored.
    [Theory]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("5.5")]
    public void InvalidAge_IsIgnored_Section5_1(string age)
    {
        Assert.Equal(Http.Seconds(2), Initial(("Age", age)));
    }

    [Fact]
    public void ClockSteppingBackwards_GivesNoNegativeDelay()
    {
        Assert.Equal(TimeSpan.Zero, ResponseAge.CorrectedInitialAge(Http.Headers(), Http.At(5), Http.Now));
    }

    // current_age = corrected_initial_age + (now - response_time).
    [Fact]
    public void CurrentAge_AddsResidentTime_Section4_2_3()
    {
        Assert.Equal(Http.Seconds(45), ResponseAge.Current(Http.Seconds(15), Http.Now, Http.At(30)));
        Assert.Equal(Http.Seconds(15), ResponseAge.Current(Http.Seconds(15), Http.Now, Http.At(-30)));
    }

    [Fact]
    public void Freshness_ComputesTheSameAges()
    {
        var headers = Http.Headers(("Date", Http.Date(ResponseTime.AddSeconds(-10))), ("Age", "3"), ("Cache-Control", "max-age=100"));
        var freshness = Freshness.Calculate(200, headers, Http.Response("max-age=100"), RequestTime, ResponseTime, CachePolicy.Default);

        Assert.Equal(Http.Seconds(10), freshness.CorrectedInitialAge);
        Assert.Equal(Http.Seconds(40), freshness.CurrentAge(ResponseTime.AddSeconds(30)));
        Assert.Equal(Http.Seconds(60), freshness.TimeToLive(ResponseTime.AddSeconds(30)));
    }

    // §4 MUST: a response served without validation carries Age = current_age, in whole seconds (§5.1 delta-seconds).
    [Theory]
    [InlineData(0, "0")]
    [InlineData(0.999, "0")]
    [InlineData(59.5, "59")]
    [InlineData(-3, "0")]
    public void AgeHeaderValue_IsWholeSeconds_Section4(double seconds, string expected)
    {
        Assert.Equal(expected, ResponseAge.ToHeaderValue(Http.Seconds(seconds)));
    }
}
