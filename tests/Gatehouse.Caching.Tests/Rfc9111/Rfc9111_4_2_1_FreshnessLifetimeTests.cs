namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.2.1 Calculating Freshness Lifetime, with §5.3 Expires.</summary>
public class Rfc9111_4_2_1_FreshnessLifetimeTests
{
    private static (TimeSpan Lifetime, FreshnessSource Source) Lifetime(params (string, string)[] fields)
    {
        var headers = Http.Headers(fields);
        var control = ResponseCacheControl.FromResponse(headers, CachePolicy.Default.TargetedFieldNames);
        return FreshnessLifetime.Calculate(200, headers, control, Http.Now, CachePolicy.Default);
    }

    // §4.2.1: a shared cache uses s-maxage first; §5.2.2.10: it overrides max-age and Expires.
    [Fact]
    public void SharedMaxAge_WinsOverMaxAgeAndExpires_Section4_2_1()
    {
        var result = Lifetime(("Cache-Control", "max-age=60, s-maxage=600"), ("Expires", Http.Date(Http.At(6000))), ("Date", Http.Date(Http.Now)));

        Assert.Equal((Http.Seconds(600), FreshnessSource.SharedMaxAge), result);
    }

    [Fact]
    public void MaxAge_WinsOverExpires_Section4_2_1()
    {
        var result = Lifetime(("Cache-Control", "max-age=60"), ("Expires", Http.Date(Http.At(6000))), ("Date", Http.Date(Http.Now)));

        Assert.Equal((Http.Seconds(60), FreshnessSource.MaxAge), result);
    }

    // §5.3 MUST: with max-age, Expires is ignored — even an invalid one that would mean "already expired".
    [Fact]
    public void MaxAge_MakesAnInvalidExpiresIrrelevant_Section5_3()
    {
        Assert.Equal((Http.Seconds(60), FreshnessSource.MaxAge), Lifetime(("Cache-Control", "max-age=60"), ("Expires", "0")));
    }

    // §5.3 MUST: a shared cache ignores Expires when s-maxage is present.
    [Fact]
    public void SharedMaxAge_MakesExpiresIrrelevant_Section5_3()
    {
        Assert.Equal((Http.Seconds(5), FreshnessSource.SharedMaxAge), Lifetime(("Cache-Control", "s-maxage=5"), ("Expires", "0")));
    }

    // §4.2.1: Expires minus Date.
    [Fact]
    public void Expires_MinusDate_Section4_2_1()
    {
        var result = Lifetime(("Expires", Http.Date(Http.At(300))), ("Date", Http.Date(Http.At(-100))));

        Assert.Equal((Http.Seconds(400), FreshnessSource.Expires), result);
    }

    // §4.2.1: without Date, the time the message was received stands for it.
    [Fact]
    public void Expires_WithoutDate_UsesTheTimeOfReceipt_Section4_2_1()
    {
        Assert.Equal((Http.Seconds(300), FreshnessSource.Expires), Lifetime(("Expires", Http.Date(Http.At(300)))));
    }

    [Fact]
    public void Expires_InThePast_IsZero()
    {
        Assert.Equal((TimeSpan.Zero, FreshnessSource.Expires), Lifetime(("Expires", Http.Date(Http.At(-300))), ("Date", Http.Date(Http.Now))));
    }

    // §5.3 MUST: invalid dates, especially "0", mean already expired.
    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("never")]
    [InlineData("")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 PST")]
    public void Expires_Invalid_IsAlreadyExpired_Section5_3(string expires)
    {
        var result = Lifetime(("Expires", expires), ("Last-Modified", Http.Date(Http.At(-100_000))));

        Assert.Equal((TimeSpan.Zero, FreshnessSource.Expires), result);
    }

    // §4.2.1: two Expires lines: first occurrence or stale. We choose stale.
    [Fact]
    public void Expires_TwoDifferentLines_IsStale_Section4_2_1()
    {
        var result = Lifetime(("Expires", Http.Date(Http.At(300))), ("Expires", Http.Date(Http.At(600))));

        Assert.Equal((TimeSpan.Zero, FreshnessSource.Expires), result);
    }

    // §4.2.1 / §4.2: duplicate or invalid max-age makes the response stale, not heuristically fresh.
    [Fact]
    public void InvalidMaxAge_IsStaleEvenWithLastModified_Section4_2_1()
    {
        var result = Lifetime(("Cache-Control", "max-age=ten"), ("Last-Modified", Http.Date(Http.At(-100_000))), ("Expires", Http.Date(Http.At(999))));

        Assert.Equal((TimeSpan.Zero, FreshnessSource.MaxAge), result);
    }

    // §4.2.1: "If directives conflict (e.g., both max-age and no-cache are present), the most restrictive directive
    // should be honored" — no-cache forces validation whatever the lifetime.
    [Fact]
    public void MaxAgeWithNoCache_AlwaysNeedsValidation_Section4_2_1()
    {
        var freshness = Http.FreshnessOf(200, Http.Headers(("Cache-Control", "max-age=600, no-cache")));

        Assert.True(freshness.RequiresValidation);
        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(freshness, RequestCacheControl.None, Http.At(1)));
    }

    // §4.2 MUST NOT: local time zones do not influence the calculation; only instants matter.
    [Fact]
    public void TimeZoneOfTheClock_DoesNotMatter_Section4_2()
    {
        var headers = Http.Headers(("Expires", Http.Date(Http.At(300))), ("Date", Http.Date(Http.Now)));
        var control = ResponseCacheControl.Parse(default);
        var utc = FreshnessLifetime.Calculate(200, headers, control, Http.Now, CachePolicy.Default);
        var local = FreshnessLifetime.Calculate(200, headers, control, Http.Now.ToOffset(TimeSpan.FromHours(-7)), CachePolicy.Default);

        Assert.Equal(utc, local);
        var freshness = Http.FreshnessOf(200, headers);
        Assert.Equal(freshness.TimeToLive(Http.At(10)), freshness.TimeToLive(Http.At(10).ToOffset(TimeSpan.FromHours(9))));
    }

    [Fact]
    public void NoExplicitLifetime_NotHeuristic_IsZero()
    {
        var headers = Http.Headers(("Last-Modified", Http.Date(Http.At(-1000))));

        Assert.Equal((TimeSpan.Zero, FreshnessSource.None), FreshnessLifetime.Calculate(302, headers, ResponseCacheControl.None, Http.Now, CachePolicy.Default));
    }

    // §4.2: response_is_fresh = freshness_lifetime > current_age.
    [Fact]
    public void IsFresh_IsLifetimeGreaterThanCurrentAge_Section4_2()
    {
        var stored = Http.Stored(60);

        Assert.True(stored.IsFresh(Http.At(59)));
        Assert.False(stored.IsFresh(Http.At(60)));
        Assert.Equal(Http.Seconds(1), stored.TimeToLive(Http.At(59)));
        Assert.Equal(Http.Seconds(-40), stored.TimeToLive(Http.At(100)));
    }
}
