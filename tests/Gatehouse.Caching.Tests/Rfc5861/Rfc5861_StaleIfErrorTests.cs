namespace Gatehouse.Caching.Tests.Rfc5861;

/// <summary>RFC 5861 §4 stale-if-error, in responses and in requests.</summary>
public class Rfc5861_StaleIfErrorTests
{
    private static Freshness StoredWith(string cacheControl) => Http.FreshnessOf(200, Http.Headers(("Cache-Control", cacheControl)));

    [Fact]
    public void ResponseDirective_PermitsStaleWithinItsWindow_Section4()
    {
        var stored = StoredWith("max-age=60, stale-if-error=120");

        Assert.True(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(180), CachePolicy.Default));
        Assert.False(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(181), CachePolicy.Default));
    }

    [Fact]
    public void ResponseDirective_DoesNotServeStaleWithoutAnError_Section4()
    {
        var stored = StoredWith("max-age=60, stale-if-error=120");

        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(stored, RequestCacheControl.None, Http.At(61)));
    }

    [Fact]
    public void RequestDirective_IsTheClientsOwnLimit_Section4()
    {
        var stored = StoredWith("max-age=60, stale-if-error=120");

        Assert.False(Reuse.CanServeStaleOnError(stored, Http.Request("stale-if-error=10"), Http.At(71), CachePolicy.Default));
        Assert.True(Reuse.CanServeStaleOnError(StoredWith("max-age=60"), Http.Request("stale-if-error=10"), Http.At(70), CachePolicy.Default));
    }

    [Fact]
    public void ResponseDirective_WinsOverTheConfiguredFallback()
    {
        var stored = StoredWith("max-age=60, stale-if-error=5");
        var policy = CachePolicy.Default with { MaxStaleOnError = TimeSpan.FromHours(1) };

        Assert.False(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(66), policy));
    }

    [Fact]
    public void ConfiguredFallback_AppliesWhenTheResponseHasOnlyStaleWhileRevalidate()
    {
        var stored = StoredWith("max-age=60, stale-while-revalidate=5");
        var policy = CachePolicy.Default with { MaxStaleOnError = TimeSpan.FromHours(1) };

        Assert.True(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(600), policy));
    }

    // RFC 5861 §4: "an error is any situation that would result in a 500, 502, 503, or 504".
    [Theory]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(501, false)]
    [InlineData(505, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void OriginErrors_Section4(int status, bool isError)
    {
        Assert.Equal(isError, Reuse.IsOriginError(status));
    }
}
