namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.2.2 Calculating Heuristic Freshness.</summary>
public class Rfc9111_4_2_2_HeuristicFreshnessTests
{
    private static (TimeSpan, FreshnessSource) Lifetime(int status, string cacheControl, CachePolicy? policy = null, params (string, string)[] fields)
    {
        var headers = Http.Headers(fields);
        return FreshnessLifetime.Calculate(status, headers, Http.Response(cacheControl), Http.Now, policy ?? CachePolicy.Default);
    }

    [Fact]
    public void TenPercentOfTheTimeSinceLastModified()
    {
        var result = Lifetime(200, "", null, ("Date", Http.Date(Http.Now)), ("Last-Modified", Http.Date(Http.At(-10_000))));

        Assert.Equal((Http.Seconds(1000), FreshnessSource.Heuristic), result);
    }

    [Fact]
    public void WithoutDate_CountsToTheTimeOfReceipt()
    {
        Assert.Equal((Http.Seconds(100), FreshnessSource.Heuristic), Lifetime(200, "", null, ("Last-Modified", Http.Date(Http.At(-1000)))));
    }

    [Fact]
    public void IsCappedByPolicy()
    {
        var policy = CachePolicy.Default with { HeuristicMaxLifetime = TimeSpan.FromHours(1) };

        var result = Lifetime(200, "", policy, ("Last-Modified", Http.Date(Http.At(-86_400 * 365))));

        Assert.Equal((TimeSpan.FromHours(1), FreshnessSource.Heuristic), result);
    }

    [Fact]
    public void FractionIsConfigurable_AndZeroTurnsItOff()
    {
        var lastModified = ("Last-Modified", Http.Date(Http.At(-1000)));

        Assert.Equal((Http.Seconds(250), FreshnessSource.Heuristic), Lifetime(200, "", CachePolicy.Default with { HeuristicFraction = 0.25 }, lastModified));
        Assert.Equal((TimeSpan.Zero, FreshnessSource.None), Lifetime(200, "", CachePolicy.Default with { HeuristicFraction = 0 }, lastModified));
    }

    // §4.2.2 MUST NOT: no heuristics when an explicit expiration time is present.
    [Theory]
    [InlineData("max-age=0")]
    [InlineData("s-maxage=0")]
    public void ExplicitLifetime_PreventsHeuristics_Section4_2_2(string cacheControl)
    {
        var result = Lifetime(200, cacheControl, null, ("Last-Modified", Http.Date(Http.At(-100_000))));

        Assert.Equal(TimeSpan.Zero, result.Item1);
        Assert.NotEqual(FreshnessSource.Heuristic, result.Item2);
    }

    [Fact]
    public void Expires_PreventsHeuristics_Section4_2_2()
    {
        var result = Lifetime(200, "", null, ("Expires", Http.Date(Http.Now)), ("Last-Modified", Http.Date(Http.At(-100_000))));

        Assert.Equal((TimeSpan.Zero, FreshnessSource.Expires), result);
    }

    // §4.2.2: heuristics only for heuristically cacheable status codes or responses marked public.
    [Fact]
    public void NotHeuristicallyCacheableStatus_GetsNoHeuristic_UnlessPublic_Section4_2_2()
    {
        var lastModified = ("Last-Modified", Http.Date(Http.At(-1000)));

        Assert.Equal((TimeSpan.Zero, FreshnessSource.None), Lifetime(302, "", null, lastModified));
        Assert.Equal((Http.Seconds(100), FreshnessSource.Heuristic), Lifetime(302, "public", null, lastModified));
        Assert.Equal((Http.Seconds(100), FreshnessSource.Heuristic), Lifetime(404, "", null, lastModified));
    }

    [Theory]
    [InlineData("garbage")]
    public void WithoutUsableLastModified_IsZero(string lastModified)
    {
        Assert.Equal((TimeSpan.Zero, FreshnessSource.None), Lifetime(200, "", null, ("Last-Modified", lastModified)));
        Assert.Equal((TimeSpan.Zero, FreshnessSource.None), Lifetime(200, ""));
    }

    [Fact]
    public void LastModifiedInTheFuture_GivesNoHeuristic()
    {
        Assert.Equal((TimeSpan.Zero, FreshnessSource.None), Lifetime(200, "", null, ("Last-Modified", Http.Date(Http.At(1000)))));
    }
}
