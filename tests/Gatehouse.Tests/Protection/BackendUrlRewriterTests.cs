using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class BackendUrlRewriterTests
{
    private static readonly BackendOrigins Backends = BackendOrigins.From(["http://10.0.0.5:8080", "http://10.0.0.6", "https://app.internal:8443/base/", "http://[::1]:9000"]);

    [Theory]
    [InlineData("http://10.0.0.5:8080/login?next=/a#top", "https://shop.example/login?next=/a#top")]
    [InlineData("http://10.0.0.5:8080", "https://shop.example")]
    [InlineData("http://10.0.0.5:8080?x=1", "https://shop.example?x=1")]
    [InlineData("HTTP://10.0.0.5:8080/x", "https://shop.example/x")]
    [InlineData("//10.0.0.6/x", "https://shop.example/x")]
    [InlineData("http://10.0.0.6/x", "https://shop.example/x")]
    [InlineData("http://10.0.0.6:80/x", "https://shop.example/x")]
    [InlineData("https://APP.internal:8443/base/x", "https://shop.example/base/x")]
    [InlineData("http://[::1]:9000/x", "https://shop.example/x")]
    [InlineData("http://[0:0:0:0:0:0:0:1]:9000/x", "https://shop.example/x")]
    [InlineData("http://user@10.0.0.5:8080/x", "https://shop.example/x")]
    public void RewriteUrl_DestinationAddress_BecomesThePublicOrigin(string location, string expected)
    {
        Assert.Equal(expected, BackendUrlRewriter.RewriteUrl(location, Backends, "https", "shop.example"));
    }

    [Theory]
    [InlineData("https://10.0.0.5:8080/x", "http://shop.example:8000/x")]
    [InlineData("https://10.0.0.6/x", "http://shop.example:8000/x")]
    public void RewriteUrl_SchemeIsNotCompared_ABackendHonouringXForwardedProtoWritesHttps(string location, string expected)
    {
        Assert.Equal(expected, BackendUrlRewriter.RewriteUrl(location, Backends, "http", "shop.example:8000"));
    }

    [Theory]
    [InlineData("/relative/path")]
    [InlineData("relative")]
    [InlineData("https://example.com/x")]
    [InlineData("http://10.0.0.5:9090/x")]
    [InlineData("http://10.0.0.5/x")]
    [InlineData("http://10.0.0.50:8080/x")]
    [InlineData("http://10.0.0.6:8080/x")]
    [InlineData("http://[::2]:9000/x")]
    [InlineData("http://10.0.0.5:80a80/x")]
    [InlineData("http://[::1/x")]
    [InlineData("ftp://10.0.0.5:8080/x")]
    [InlineData("")]
    public void RewriteUrl_OtherUrls_AreLeftAsTheSameInstance(string location)
    {
        Assert.Same(location, BackendUrlRewriter.RewriteUrl(location, Backends, "https", "shop.example"));
    }

    [Theory]
    [InlineData("http://10.0.0.5:8080/x?y", "/x?y")]
    [InlineData("http://10.0.0.5:8080", "/")]
    [InlineData("http://10.0.0.5:8080?q", "/?q")]
    public void RewriteUrl_WithoutPublicHost_BecomesRelative(string location, string expected)
    {
        Assert.Equal(expected, BackendUrlRewriter.RewriteUrl(location, Backends, "http", null));
    }

    [Fact]
    public void RewriteUrl_NoOrigins_NeverRewrites()
    {
        const string location = "http://10.0.0.5:8080/x";
        Assert.Same(location, BackendUrlRewriter.RewriteUrl(location, BackendOrigins.Empty, "https", "shop.example"));
    }

    [Theory]
    [InlineData("5; url=http://10.0.0.5:8080/next", "5; url=https://shop.example/next")]
    [InlineData("0;URL='http://10.0.0.5:8080/next'", "0;URL='https://shop.example/next'")]
    [InlineData("3, http://10.0.0.5:8080/n", "3, https://shop.example/n")]
    [InlineData("1; url = \"http://10.0.0.5:8080/q\" ", "1; url = \"https://shop.example/q\" ")]
    public void RewriteRefresh_RewritesOnlyTheUrl(string refresh, string expected)
    {
        Assert.Equal(expected, BackendUrlRewriter.RewriteRefresh(refresh, Backends, "https", "shop.example"));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5; url=/next")]
    [InlineData("5; url=https://example.com/")]
    [InlineData("soon; url=http://10.0.0.5:8080/")]
    public void RewriteRefresh_NothingToRewrite_SameInstance(string refresh)
    {
        Assert.Same(refresh, BackendUrlRewriter.RewriteRefresh(refresh, Backends, "https", "shop.example"));
    }
}
