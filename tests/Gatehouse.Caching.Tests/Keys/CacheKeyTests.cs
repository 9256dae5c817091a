using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Keys;

/// <summary>The primary cache key (RFC 9111 §2: at least the target URI; the method is implied, see CacheKey).</summary>
public class CacheKeyTests
{
    private static CacheKey Key(string url, CacheKeyOptions? options = null, HeaderDictionary? headers = null)
    {
        var uri = new Uri(url);
        return CacheKey.ForRequest(
            uri.Scheme,
            HostString.FromUriComponent(uri.Authority),
            PathString.FromUriComponent(uri),
            QueryString.FromUriComponent(uri),
            headers ?? Http.Headers(),
            options ?? CacheKeyOptions.Default);
    }

    [Fact]
    public void Target_IsSchemeHostPathAndQuery()
    {
        Assert.Equal("https://example.com/a/b?x=1&y=2", Key("https://example.com/a/b?x=1&y=2").ToString());
    }

    [Theory]
    [InlineData("HTTPS://EXAMPLE.com/A", "https://example.com/A")]
    [InlineData("https://example.com:443/a", "https://example.com/a")]
    [InlineData("http://example.com:80/a", "http://example.com/a")]
    [InlineData("http://example.com:8080/a", "http://example.com:8080/a")]
    [InlineData("https://example.com:80/a", "https://example.com:80/a")]
    [InlineData("https://example.com", "https://example.com/")]
    [InlineData("https://example.com/a?", "https://example.com/a")]
    [InlineData("http://[::1]:8080/a", "http://[::1]:8080/a")]
    [InlineData("http://127.0.0.1:5000/a", "http://127.0.0.1:5000/a")]
    [InlineData("http://a-b.example:65535/a", "http://a-b.example:65535/a")]
    [InlineData("http://a_b.example:8080/a", "http://a_b.example:8080/a")]
    [InlineData("ftp://example.com/a", "ftp://example.com/a")]
    public void Target_IsNormalised(string url, string target)
    {
        Assert.Equal(target, Key(url).Target);
    }

    // The authority as Kestrel hands it over, unparsed by Uri: a plain one is taken as it is, anything else normalised.
    [Theory]
    [InlineData("example.com", "http://example.com/")]
    [InlineData("example.com:8080", "http://example.com:8080/")]
    [InlineData("example.com:80", "http://example.com/")]
    [InlineData("Example.com:8080", "http://example.com:8080/")]
    [InlineData("example.com:08080", "http://example.com:8080/")]
    [InlineData("example.com:080", "http://example.com/")]
    [InlineData("example.com:", "http://example.com/")]
    [InlineData("bücher.example", "http://xn--bcher-kva.example/")]
    public void Authority_FromTheRequest_IsNormalised(string authority, string target)
    {
        var key = CacheKey.ForRequest("http", new HostString(authority), new PathString("/"), QueryString.Empty, Http.Headers(), CacheKeyOptions.Default);

        Assert.Equal(target, key.Target);
    }

    [Fact]
    public void PathCase_AndQueryOrder_MatterByDefault()
    {
        Assert.NotEqual(Key("https://example.com/a"), Key("https://example.com/A"));
        Assert.NotEqual(Key("https://example.com/a?x=1&y=2"), Key("https://example.com/a?y=2&x=1"));
    }

    [Fact]
    public void EscapedPath_StaysEscaped()
    {
        Assert.Equal("https://example.com/a%20b/%C3%A9", Key("https://example.com/a%20b/%C3%A9").Target);
    }

    [Fact]
    public void DecodedRequestPath_AndEscapedUri_GiveTheSameTarget()
    {
        // Kestrel hands over Request.Path decoded; a Location URI arrives escaped.
        var fromRequest = CacheKey.ForRequest("https", new HostString("example.com"), new PathString("/a b/é"), QueryString.Empty, Http.Headers(), CacheKeyOptions.Default);

        Assert.Equal(fromRequest.Target, CacheKey.TargetOf(new Uri("https://example.com/a%20b/%C3%A9"), CacheKeyOptions.Default));
        Assert.Equal("http://example.com:8080/x?y", CacheKey.TargetOf(new Uri("http://EXAMPLE.com:8080/x?y"), CacheKeyOptions.Default));
    }

    [Fact]
    public void SortQueryParameters_OrdersByNameKeepingRepeats()
    {
        var options = CacheKeyOptions.Default with { SortQueryParameters = true };

        Assert.Equal("https://example.com/?a=2&a=1&b=1&c", Key("https://example.com/?c&b=1&a=2&a=1", options).Target);
        Assert.Equal(Key("https://example.com/?x=1&y=2", options), Key("https://example.com/?y=2&x=1", options));
    }

    [Fact]
    public void IgnoredQueryParameters_AreDropped_WithPrefixPatterns()
    {
        var options = CacheKeyOptions.Default with { IgnoredQueryParameters = ["utm_*", "fbclid", "x y"] };

        Assert.Equal("https://example.com/p?id=7", Key("https://example.com/p?utm_source=a&id=7&fbclid=z&utm_medium=b&x%20y=1", options).Target);
        Assert.Equal("https://example.com/p", Key("https://example.com/p?fbclid=z", options).Target);
        Assert.Equal("https://example.com/p?fbclidx=1", Key("https://example.com/p?fbclidx=1", options).Target);
    }

    [Fact]
    public void AddedHeaders_AreInTheVariation_AbsentDiffersFromEmpty()
    {
        var options = CacheKeyOptions.Default with { Headers = ["X-Tenant"] };

        var present = Key("https://example.com/", options, Http.Headers(("x-tenant", "a b")));
        var empty = Key("https://example.com/", options, Http.Headers(("X-Tenant", "")));
        var absent = Key("https://example.com/", options);

        Assert.Equal("https://example.com/ header:x-tenant=a%20b", present.ToString());
        Assert.Equal("header:x-tenant=", empty.Variation);
        Assert.Equal("header:x-tenant", absent.Variation);
        Assert.Equal(present.Target, absent.Target);
    }

    [Fact]
    public void AddedCookies_AreInTheVariation()
    {
        var options = CacheKeyOptions.Default with { Cookies = ["lang", "missing"] };
        var headers = Http.Headers(("Cookie", "session=s; lang=fr"), ("Cookie", "lang=de"));

        Assert.Equal("cookie:lang=fr cookie:missing", Key("https://example.com/", options, headers).Variation);
    }

    [Fact]
    public void VariationValues_CannotForgeOtherComponents()
    {
        var options = CacheKeyOptions.Default with { Headers = ["A", "B"] };

        Assert.NotEqual(
            Key("https://example.com/", options, Http.Headers(("A", "1 header:b=2"))),
            Key("https://example.com/", options, Http.Headers(("A", "1"), ("B", "2"))));
    }

    [Fact]
    public void NonAsciiQuery_IsPercentEncoded()
    {
        var key = CacheKey.ForRequest("https", new HostString("example.com"), new PathString("/"), new QueryString("?q=café"), Http.Headers(), CacheKeyOptions.Default);

        Assert.Equal("https://example.com/?q=caf%C3%A9", key.Target);
    }

    [Fact]
    public void TargetOf_MatchesTheRequestKeyForInvalidation()
    {
        var options = CacheKeyOptions.Default with { SortQueryParameters = true, IgnoredQueryParameters = ["utm_*"], Headers = ["X-Tenant"] };

        var request = Key("https://Example.com:443/items/1?b=2&a=1&utm_x=3", options, Http.Headers(("X-Tenant", "t")));

        Assert.Equal(request.Target, CacheKey.TargetOf(new Uri("https://example.com/items/1?a=1&b=2"), options));
    }
}
