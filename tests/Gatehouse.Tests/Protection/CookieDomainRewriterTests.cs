using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class CookieDomainRewriterTests
{
    private static readonly BackendOrigins Backends = BackendOrigins.From(["http://10.0.0.5:8080", "http://app.internal:9000"]);

    [Theory]
    [InlineData("sid=1; Domain=10.0.0.5; Path=/; HttpOnly", "sid=1; Path=/; HttpOnly")]
    [InlineData("sid=1; Path=/; domain=.app.internal", "sid=1; Path=/")]
    [InlineData("sid=1;Domain=APP.INTERNAL;Secure", "sid=1;Secure")]
    [InlineData("sid=1; Domain = 10.0.0.5 ", "sid=1")]
    [InlineData("sid=1; Domain=10.0.0.5; Domain=app.internal; Path=/", "sid=1; Path=/")]
    public void Rewrite_DomainNamingABackend_IsDropped(string setCookie, string expected)
    {
        Assert.Equal(expected, CookieDomainRewriter.Rewrite(setCookie, Backends));
    }

    [Theory]
    [InlineData("sid=1; Path=/; HttpOnly")]
    [InlineData("sid=1; Domain=shop.example; Path=/")]
    [InlineData("domain=10.0.0.5; Path=/")]
    [InlineData("sid=domain; Path=/")]
    [InlineData("sid=1; Domain=10.0.0.50")]
    [InlineData("sid=1")]
    public void Rewrite_OtherCookies_SameInstance(string setCookie)
    {
        Assert.Same(setCookie, CookieDomainRewriter.Rewrite(setCookie, Backends));
    }
}
