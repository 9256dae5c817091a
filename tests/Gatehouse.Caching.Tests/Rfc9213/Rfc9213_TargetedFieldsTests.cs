using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9213;

/// <summary>RFC 9213 Targeted HTTP Cache Control (CDN-Cache-Control and a cache's own field).</summary>
public class Rfc9213_TargetedFieldsTests
{
    private static readonly string[] TargetList = ["Gatehouse-Cache-Control", CachePolicy.CdnCacheControl];

    private static ResponseCacheControl Select(params (string, string)[] fields) => ResponseCacheControl.FromResponse(Http.Headers(fields), TargetList);

    // §2.2 MUST: the first field of the target list with a valid, non-empty value is used, and Cache-Control ignored.
    [Fact]
    public void FirstTargetedFieldPresent_ReplacesCacheControl_Section2_2()
    {
        var control = Select(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=600"));

        Assert.Equal("CDN-Cache-Control", control.TargetedField);
        Assert.Equal(TimeSpan.FromSeconds(600), control.MaxAge);
        Assert.False(control.NoStore);
    }

    [Fact]
    public void TargetListOrder_DecidesNotTheResponseOrder_Section2_2()
    {
        var control = Select(("CDN-Cache-Control", "max-age=600"), ("Gatehouse-Cache-Control", "max-age=5"));

        Assert.Equal("Gatehouse-Cache-Control", control.TargetedField);
        Assert.Equal(TimeSpan.FromSeconds(5), control.MaxAge);
    }

    // §2.1 MUST: an empty field or one that fails to parse is ignored: the next one, then Cache-Control, applies.
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Max-Age=60")]
    [InlineData("max-age=60,")]
    [InlineData("max-age=\"60")]
    [InlineData("no-cache=\"a\" b")]
    public void InvalidOrEmptyField_IsIgnored_Section2_1(string value)
    {
        Assert.Equal("CDN-Cache-Control", Select(("Gatehouse-Cache-Control", value), ("CDN-Cache-Control", "max-age=7")).TargetedField);

        var fallback = Select(("Gatehouse-Cache-Control", value), ("Cache-Control", "max-age=9"));
        Assert.Null(fallback.TargetedField);
        Assert.Equal(TimeSpan.FromSeconds(9), fallback.MaxAge);
    }

    // §2.2 MUST NOT: targeted fields not on the cache's list change nothing.
    [Fact]
    public void FieldsNotOnTheTargetList_ChangeNothing_Section2_2()
    {
        var control = Select(("Other-CDN-Cache-Control", "no-store"), ("Cache-Control", "max-age=60"));

        Assert.Null(control.TargetedField);
        Assert.False(control.NoStore);
    }

    // §2.2 MUST: with a targeted field, Expires is ignored too.
    [Fact]
    public void SelectedTargetedField_MakesTheCacheIgnoreExpires_Section2_2()
    {
        var headers = Http.Headers(("Expires", Http.Date(Http.At(3600))), ("CDN-Cache-Control", "public"), ("Last-Modified", Http.Date(Http.At(-100))));

        var freshness = Http.FreshnessOf(200, headers);

        Assert.Equal(FreshnessSource.Heuristic, freshness.Source);
        Assert.Equal(Http.Seconds(10), freshness.Lifetime);
    }

    [Fact]
    public void SelectedTargetedField_ExpiresDoesNotMakeItStorable_Section2_2()
    {
        var headers = Http.Headers(("Expires", Http.Date(Http.At(3600))), ("CDN-Cache-Control", "must-revalidate"));
        var control = ResponseCacheControl.FromResponse(headers, TargetList);

        Assert.Equal(NotStorableReason.NoFreshnessInformation, Storability.Evaluate("GET", Http.Headers(), RequestCacheControl.None, 302, headers, control).Reason);
    }

    // §2.2 MUST implement max-age, must-revalidate, no-store, no-cache and private from a targeted field.
    [Fact]
    public void RequiredDirectives_AreUnderstood_Section2_2()
    {
        var control = Select(("CDN-Cache-Control", "max-age=60, must-revalidate, no-store, no-cache, private"));

        Assert.Equal(TimeSpan.FromSeconds(60), control.MaxAge);
        Assert.True(control.MustRevalidate);
        Assert.True(control.NoStore);
        Assert.True(control.NoCache);
        Assert.True(control.Private);
    }

    // §2.1: no value is Boolean true; a quoted-string argument is a String; parameters are ignored.
    [Fact]
    public void ValuesMapToStructuredTypes_Section2_1()
    {
        var control = Select(("CDN-Cache-Control", "no-cache=\"Set-Cookie, X-A\", private=?0, s-maxage=30;foo=bar, public=?1, stale-if-error=5"));

        Assert.Equal(["Set-Cookie", "X-A"], control.NoCacheFields);
        Assert.False(control.NoCache);
        Assert.False(control.Private);
        Assert.Equal(TimeSpan.FromSeconds(30), control.SharedMaxAge);
        Assert.True(control.Public);
        Assert.Equal(TimeSpan.FromSeconds(5), control.StaleIfError);
    }

    // §2.1 SHOULD NOT consume values that violate a directive's constraints: a decimal or negative max-age is
    // invalid freshness, which RFC 9111 §4.2.1 treats as stale.
    [Theory]
    [InlineData("max-age=1.5")]
    [InlineData("max-age=-1")]
    [InlineData("max-age=\"60\"")]
    [InlineData("max-age=(1 2)")]
    [InlineData("max-age=:AQID:")]
    public void ConstraintViolatingValue_IsNotConsumed_Section2_1(string value)
    {
        Assert.Equal(TimeSpan.Zero, Select(("CDN-Cache-Control", value)).MaxAge);
    }

    [Fact]
    public void SeveralFieldLines_AreCombined()
    {
        var headers = new HeaderDictionary();
        headers.Append("CDN-Cache-Control", "max-age=60");
        headers.Append("CDN-Cache-Control", "must-revalidate");

        var control = ResponseCacheControl.FromResponse(headers, TargetList);

        Assert.Equal(TimeSpan.FromSeconds(60), control.MaxAge);
        Assert.True(control.MustRevalidate);
    }

    [Fact]
    public void FieldNames_AreCaseInsensitive()
    {
        Assert.Equal("CDN-Cache-Control", ResponseCacheControl.FromResponse(Http.Headers(("cdn-cache-control", "max-age=1")), [CachePolicy.CdnCacheControl]).TargetedField);
    }

    [Fact]
    public void DefaultPolicy_TargetsCdnCacheControl()
    {
        Assert.Equal([CachePolicy.CdnCacheControl], CachePolicy.Default.TargetedFieldNames);
    }
}
