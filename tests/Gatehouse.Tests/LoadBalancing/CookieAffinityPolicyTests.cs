using Gatehouse.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Tests.LoadBalancing;

public sealed class CookieAffinityPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CookieOptions_Defaults_AreAPathWideHttpOnlySessionCookie_SecureOnlyOverHttps()
    {
        var plain = CookieAffinityPolicy.CookieOptions(null, isHttps: false, Now);
        var https = CookieAffinityPolicy.CookieOptions(null, isHttps: true, Now);

        Assert.Equal("/", plain.Path);
        Assert.True(plain.HttpOnly);
        Assert.Null(plain.Expires);
        Assert.Null(plain.MaxAge);
        Assert.False(plain.Secure);
        Assert.True(https.Secure);
    }

    [Theory]
    [InlineData(CookieSecurePolicy.Always, false, true)]
    [InlineData(CookieSecurePolicy.None, true, false)]
    [InlineData(CookieSecurePolicy.SameAsRequest, true, true)]
    public void CookieOptions_SecurePolicy_DecidesTheSecureAttribute(CookieSecurePolicy policy, bool isHttps, bool secure)
    {
        Assert.Equal(secure, CookieAffinityPolicy.CookieOptions(new SessionAffinityCookieConfig { SecurePolicy = policy }, isHttps, Now).Secure);
    }

    [Fact]
    public void CookieOptions_CarryTheConfiguredAttributes_WithExpiryCountedFromNow()
    {
        var options = CookieAffinityPolicy.CookieOptions(new SessionAffinityCookieConfig
        {
            Path = "/app",
            Domain = "example.com",
            HttpOnly = false,
            SameSite = SameSiteMode.Strict,
            Expiration = TimeSpan.FromHours(1),
            MaxAge = TimeSpan.FromMinutes(30),
            IsEssential = true,
        }, isHttps: false, Now);

        Assert.Equal("/app", options.Path);
        Assert.Equal("example.com", options.Domain);
        Assert.False(options.HttpOnly);
        Assert.Equal(SameSiteMode.Strict, options.SameSite);
        Assert.Equal(Now.AddHours(1), options.Expires);
        Assert.Equal(TimeSpan.FromMinutes(30), options.MaxAge);
        Assert.True(options.IsEssential);
    }
}
