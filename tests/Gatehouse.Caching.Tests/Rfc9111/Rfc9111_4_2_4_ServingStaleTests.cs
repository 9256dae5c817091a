namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.2.4 Serving Stale Responses, with §5.2.2.2, §5.2.2.8, §5.2.2.10.</summary>
public class Rfc9111_4_2_4_ServingStaleTests
{
    private static readonly CachePolicy LenientPolicy = CachePolicy.Default with { MaxStaleOnError = TimeSpan.FromDays(1) };

    private static Freshness StoredWith(string cacheControl) => Http.FreshnessOf(200, Http.Headers(("Cache-Control", cacheControl)));

    // §4.2.4 MUST NOT generate a stale response when must-revalidate, proxy-revalidate or s-maxage forbids it —
    // not for the client's max-stale, not within stale-while-revalidate.
    [Theory]
    [InlineData("max-age=60, must-revalidate, stale-while-revalidate=600")]
    [InlineData("max-age=60, proxy-revalidate, stale-while-revalidate=600")]
    [InlineData("s-maxage=60, stale-while-revalidate=600")]
    public void RevalidationDirectives_ForbidStale_Section4_2_4(string cacheControl)
    {
        var stored = StoredWith(cacheControl);

        Assert.True(stored.ForbidsStale);
        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(stored, RequestCacheControl.None, Http.At(61)));
        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(stored, Http.Request("max-stale"), Http.At(61)));
        Assert.Equal(ReuseDecision.Fresh, Reuse.Decide(stored, RequestCacheControl.None, Http.At(59)));
    }

    // §5.2.2.2 MUST: a disconnected cache generates an error rather than reuse a stale must-revalidate response.
    [Theory]
    [InlineData("max-age=60, must-revalidate, stale-if-error=600")]
    [InlineData("max-age=60, proxy-revalidate, stale-if-error=600")]
    [InlineData("s-maxage=60, stale-if-error=600")]
    public void RevalidationDirectives_ForbidStaleOnError_Section5_2_2_2(string cacheControl)
    {
        var stored = StoredWith(cacheControl);

        Assert.False(Reuse.CanServeStaleOnError(stored, Http.Request("stale-if-error=600, max-stale"), Http.At(61), LenientPolicy));
    }

    // §5.2.2.4: no-cache prevents reuse without validation "even by caches that have been configured to send stale responses".
    [Fact]
    public void NoCache_ForbidsStaleOnErrorEvenWithConfiguration_Section5_2_2_4()
    {
        var stored = StoredWith("no-cache, stale-if-error=600");

        Assert.False(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(1), LenientPolicy));
    }

    // §4.2.4 MUST NOT: no stale response unless disconnected or explicitly permitted (max-stale, RFC 5861, configuration).
    [Fact]
    public void WithoutPermission_StaleIsNeverServed_Section4_2_4()
    {
        var stored = StoredWith("max-age=60");

        Assert.Equal(ReuseDecision.ValidateStale, Reuse.Decide(stored, RequestCacheControl.None, Http.At(61)));
        Assert.False(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(61), CachePolicy.Default));
    }

    // §4.2.4: "configuration in accordance with an out-of-band contract": the route's max-stale-on-error.
    [Fact]
    public void ConfiguredMaxStaleOnError_PermitsStaleWhenDisconnected_Section4_2_4()
    {
        var stored = StoredWith("max-age=60");
        var policy = CachePolicy.Default with { MaxStaleOnError = TimeSpan.FromMinutes(5) };

        Assert.True(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(60 + 300), policy));
        Assert.False(Reuse.CanServeStaleOnError(stored, RequestCacheControl.None, Http.At(60 + 301), policy));
    }

    [Fact]
    public void ClientMaxStale_PermitsStaleOnError_Section4_2_4()
    {
        var stored = StoredWith("max-age=60");

        Assert.True(Reuse.CanServeStaleOnError(stored, Http.Request("max-stale=10"), Http.At(70), CachePolicy.Default));
        Assert.False(Reuse.CanServeStaleOnError(stored, Http.Request("max-stale=10"), Http.At(71), CachePolicy.Default));
    }

    [Fact]
    public void FreshResponse_MayAnswerWhenTheOriginFails()
    {
        Assert.True(Reuse.CanServeStaleOnError(StoredWith("max-age=60, must-revalidate"), RequestCacheControl.None, Http.At(10), CachePolicy.Default));
    }
}
