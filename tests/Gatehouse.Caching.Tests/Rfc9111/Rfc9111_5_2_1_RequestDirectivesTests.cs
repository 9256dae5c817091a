using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §5.2.1 request directives, RFC 5861 §4 stale-if-error, and §5.4 Pragma.</summary>
public class Rfc9111_5_2_1_RequestDirectivesTests
{
    [Fact]
    public void AllDirectives_AreRead()
    {
        var control = Http.Request("max-age=5, max-stale=10, min-fresh=3, no-cache, no-store, no-transform, only-if-cached, stale-if-error=30");

        Assert.Equal(TimeSpan.FromSeconds(5), control.MaxAge);
        Assert.True(control.MaxStale);
        Assert.Equal(TimeSpan.FromSeconds(10), control.MaxStaleLimit);
        Assert.Equal(TimeSpan.FromSeconds(3), control.MinFresh);
        Assert.True(control.NoCache);
        Assert.True(control.NoStore);
        Assert.True(control.NoTransform);
        Assert.True(control.OnlyIfCached);
        Assert.Equal(TimeSpan.FromSeconds(30), control.StaleIfError);
    }

    // §5.2.1.2: max-stale without a value accepts a stale response of any age.
    [Fact]
    public void MaxStale_WithoutValue_HasNoLimit()
    {
        var control = Http.Request("max-stale");

        Assert.True(control.MaxStale);
        Assert.Null(control.MaxStaleLimit);
    }

    [Fact]
    public void RepeatedDirectives_MostRestrictiveWins()
    {
        var control = Http.Request("max-age=60, max-age=5, min-fresh=1, min-fresh=9, max-stale, max-stale=20, max-stale=10");

        Assert.Equal(TimeSpan.FromSeconds(5), control.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(9), control.MinFresh);
        Assert.Equal(TimeSpan.FromSeconds(10), control.MaxStaleLimit);
    }

    [Fact]
    public void InvalidValues_AreIgnored()
    {
        var control = Http.Request("max-age=abc, min-fresh=-1, max-stale=x");

        Assert.Null(control.MaxAge);
        Assert.Null(control.MinFresh);
        Assert.False(control.MaxStale);
    }

    // §5.4 (and RFC 7234 §5.4): Pragma: no-cache acts as Cache-Control: no-cache only without Cache-Control.
    [Fact]
    public void PragmaNoCache_WithoutCacheControl_IsNoCache_Section5_4()
    {
        Assert.True(RequestCacheControl.Parse(StringValues.Empty, "no-cache").NoCache);
        Assert.True(RequestCacheControl.Parse(StringValues.Empty, "foo, No-Cache").NoCache);
    }

    [Fact]
    public void PragmaNoCache_WithCacheControl_IsIgnored_Section5_4()
    {
        Assert.False(RequestCacheControl.Parse("max-age=10", "no-cache").NoCache);
    }

    [Fact]
    public void FromRequest_ReadsCacheControlAndPragma()
    {
        Assert.True(RequestCacheControl.FromRequest(Http.Headers(("Pragma", "no-cache"))).NoCache);
        Assert.True(RequestCacheControl.FromRequest(Http.Headers(("cache-control", "ONLY-IF-CACHED"))).OnlyIfCached);
        Assert.Same(RequestCacheControl.None, RequestCacheControl.FromRequest(Http.Headers()));
    }
}
