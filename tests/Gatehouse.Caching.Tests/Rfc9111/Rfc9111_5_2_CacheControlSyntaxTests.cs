using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §5.2 Cache-Control syntax: <c>#cache-directive</c>, <c>token [ "=" ( token / quoted-string ) ]</c>.</summary>
public class Rfc9111_5_2_CacheControlSyntaxTests
{
    // §5.2: directive names are compared case-insensitively.
    [Theory]
    [InlineData("max-age=60")]
    [InlineData("MAX-AGE=60")]
    [InlineData("Max-Age=60")]
    public void DirectiveNames_AreCaseInsensitive(string field)
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Http.Response(field).MaxAge);
    }

    // §5.2: "recipients ought to accept both forms" (token and quoted-string).
    [Fact]
    public void QuotedArgument_IsAcceptedForDeltaSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Http.Response("max-age=\"60\"").MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(30), Http.Response("s-maxage=\"30\"").SharedMaxAge);
    }

    [Fact]
    public void QuotedString_WithEscapesAndCommas_IsOneArgument()
    {
        var control = Http.Response("private=\"Set-Cookie, X-\\\"Odd\\\"\", max-age=5");

        Assert.False(control.Private);
        Assert.Equal(["Set-Cookie"], control.PrivateFields); // X-"Odd" is not a token: dropped from the list
        Assert.Equal(TimeSpan.FromSeconds(5), control.MaxAge);
    }

    [Fact]
    public void QuotedString_CommaInside_DoesNotSplitDirectives()
    {
        var control = Http.Response("no-cache=\"Set-Cookie, X-Trace\", public");

        Assert.Equal(["Set-Cookie", "X-Trace"], control.NoCacheFields);
        Assert.True(control.Public);
        Assert.False(control.NoCache);
    }

    // RFC 9110 §5.6.1 / §5.3: a list may be split over several field lines; empty elements are ignored.
    [Fact]
    public void SeveralFieldLines_AreOneList()
    {
        var control = ResponseCacheControl.Parse(new StringValues(["public", "max-age=10, ,", " must-revalidate"]));

        Assert.True(control.Public);
        Assert.Equal(TimeSpan.FromSeconds(10), control.MaxAge);
        Assert.True(control.MustRevalidate);
    }

    [Fact]
    public void Whitespace_AroundElementsAndEquals_IsTolerated()
    {
        var control = Http.Response("  public ,\tmax-age = 10 ,no-store");

        Assert.True(control.Public);
        Assert.Equal(TimeSpan.FromSeconds(10), control.MaxAge);
        Assert.True(control.NoStore);
    }

    // §5.2.3 MUST: a cache MUST ignore unrecognized cache directives.
    [Fact]
    public void UnknownExtensions_AreIgnored_Section5_2_3()
    {
        var control = Http.Response("community=\"UCI\", foo, bar=baz, max-age=60, x=\"a,b\"");

        Assert.Equal(TimeSpan.FromSeconds(60), control.MaxAge);
        Assert.False(control.Private || control.Public || control.NoCache || control.NoStore || control.MustRevalidate);
        Assert.Empty(control.PrivateFields);
        Assert.Empty(control.NoCacheFields);
    }

    [Fact]
    public void GarbageElement_IsSkippedWithoutLosingTheOthers()
    {
        var control = Http.Response("=oops, \"quoted\", public, max-age=7");

        Assert.True(control.Public);
        Assert.Equal(TimeSpan.FromSeconds(7), control.MaxAge);
    }

    [Fact]
    public void Empty_HasNoDirectives()
    {
        var control = ResponseCacheControl.Parse(StringValues.Empty);

        Assert.Null(control.MaxAge);
        Assert.False(control.NoStore);
        Assert.Null(control.TargetedField);
    }

    // §4.2.1: invalid freshness information: the response should be considered stale.
    [Theory]
    [InlineData("max-age")]
    [InlineData("max-age=")]
    [InlineData("max-age=abc")]
    [InlineData("max-age=-1")]
    [InlineData("max-age=1.5")]
    [InlineData("max-age=\"60")]
    [InlineData("max-age=60 seconds")]
    public void InvalidMaxAge_IsZero_Section4_2_1(string field)
    {
        Assert.Equal(TimeSpan.Zero, Http.Response(field).MaxAge);
    }

    // §4.2.1: more than one value for a directive: first occurrence or stale. We consider it stale.
    [Fact]
    public void DuplicateMaxAge_WithDifferentValues_IsZero_Section4_2_1()
    {
        Assert.Equal(TimeSpan.Zero, Http.Response("max-age=60, max-age=120").MaxAge);
        Assert.Equal(TimeSpan.Zero, ResponseCacheControl.Parse(new StringValues(["max-age=60", "max-age=61"])).MaxAge);
        Assert.Equal(TimeSpan.Zero, Http.Response("s-maxage=60, s-maxage=1").SharedMaxAge);
        Assert.Equal(TimeSpan.Zero, Http.Response("max-age=60, max-age=oops").MaxAge);
    }

    [Fact]
    public void DuplicateMaxAge_WithTheSameValue_IsThatValue()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Http.Response("max-age=60, max-age=\"60\"").MaxAge);
    }

    [Fact]
    public void InvalidOrConflictingStaleExtensions_GrantNothing()
    {
        Assert.Null(Http.Response("stale-while-revalidate=abc").StaleWhileRevalidate);
        Assert.Null(Http.Response("stale-while-revalidate=5, stale-while-revalidate=50").StaleWhileRevalidate);
        Assert.Null(Http.Response("stale-if-error").StaleIfError);
        Assert.Equal(TimeSpan.FromSeconds(5), Http.Response("stale-if-error=5").StaleIfError);
    }
}
