namespace Gatehouse.Caching.Tests.Rfc5861;

/// <summary>RFC 5861 §3 stale-while-revalidate.</summary>
public class Rfc5861_StaleWhileRevalidateTests
{
    private static Freshness StoredWith(string cacheControl) => Http.FreshnessOf(200, Http.Headers(("Cache-Control", cacheControl)));

    [Fact]
    public void WithinTheWindow_ServesStaleAndRevalidates_Section3()
    {
        var stored = StoredWith("max-age=60, stale-while-revalidate=30");

        Assert.Equal(ReuseDecision.Fresh, Reuse.Decide(stored, RequestCacheControl.None, Http.At(59)));
        Assert.Equal(ReuseDecision.StaleWhileRevalidate, Reuse.Decide(stored, RequestCacheControl.None, Http.At(61)));
        Assert.Equal(ReuseDecision.StaleWhileRevalidate, Reuse.Decide(stored, RequestCacheControl.None, Http.At(90)));
    }

    [Fact]
    public void AfterTheWindow_Validates_Section3()
    {
        var stored = StoredWith("max-age=60, stale-while-revalidate=30");

        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(stored, RequestCacheControl.None, Http.At(91)));
    }

    [Fact]
    public void TakesPrecedenceOverClientMaxStale_SoTheEntryGetsRefreshed()
    {
        var stored = StoredWith("max-age=60, stale-while-revalidate=30");

        Assert.Equal(ReuseDecision.StaleWhileRevalidate, Reuse.Decide(stored, Http.Request("max-stale"), Http.At(70)));
        Assert.Equal(ReuseDecision.StaleAcceptedByClient, Reuse.Decide(stored, Http.Request("max-stale"), Http.At(100)));
    }

    [Fact]
    public void RequestNoCache_StillForcesValidation()
    {
        var stored = StoredWith("max-age=60, stale-while-revalidate=30");

        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(stored, Http.Request("no-cache"), Http.At(70)));
    }

    [Fact]
    public void ComesFromTheSelectedTargetedField()
    {
        var headers = Http.Headers(("Cache-Control", "max-age=60"), ("CDN-Cache-Control", "max-age=60, stale-while-revalidate=30"));

        Assert.Equal(ReuseDecision.StaleWhileRevalidate, Reuse.Decide(Http.FreshnessOf(200, headers), RequestCacheControl.None, Http.At(70)));
    }

    [Fact]
    public void ZeroWindow_GrantsNothing()
    {
        var stored = StoredWith("max-age=60, stale-while-revalidate=0");

        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(stored, RequestCacheControl.None, Http.At(60)));
    }
}
