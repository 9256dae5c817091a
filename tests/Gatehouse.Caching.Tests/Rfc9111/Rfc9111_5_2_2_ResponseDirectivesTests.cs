namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §5.2.2 response directives, RFC 8246 immutable, RFC 5861 extensions.</summary>
public class Rfc9111_5_2_2_ResponseDirectivesTests
{
    [Fact]
    public void AllDirectives_AreRead()
    {
        var control = Http.Response(
            "max-age=1, s-maxage=2, no-store, no-transform, public, must-revalidate, proxy-revalidate, must-understand, immutable, stale-while-revalidate=3, stale-if-error=4");

        Assert.Equal(TimeSpan.FromSeconds(1), control.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(2), control.SharedMaxAge);
        Assert.True(control.NoStore);
        Assert.True(control.NoTransform);
        Assert.True(control.Public);
        Assert.True(control.MustRevalidate);
        Assert.True(control.ProxyRevalidate);
        Assert.True(control.MustUnderstand);
        Assert.True(control.Immutable);
        Assert.Equal(TimeSpan.FromSeconds(3), control.StaleWhileRevalidate);
        Assert.Equal(TimeSpan.FromSeconds(4), control.StaleIfError);
    }

    // §5.2.2.4: unqualified no-cache vs no-cache with a field list.
    [Fact]
    public void NoCache_BareAndQualified()
    {
        Assert.True(Http.Response("no-cache").NoCache);
        var qualified = Http.Response("no-cache=\"Set-Cookie\"");
        Assert.False(qualified.NoCache);
        Assert.Equal(["Set-Cookie"], qualified.NoCacheFields);
    }

    // §5.2.2.4: "A sender SHOULD NOT generate the token form", but a recipient reads it.
    [Fact]
    public void NoCache_TokenForm_IsAFieldList()
    {
        Assert.Equal(["set-cookie"], Http.Response("no-cache=set-cookie").NoCacheFields);
    }

    [Theory]
    [InlineData("no-cache=\"\"")]
    [InlineData("no-cache=\" , \"")]
    [InlineData("no-cache=\"unterminated")]
    public void NoCache_WithoutUsableFieldNames_IsUnqualified(string field)
    {
        Assert.True(Http.Response(field).NoCache);
    }

    [Fact]
    public void NoCache_BareAndQualifiedTogether_BareWins()
    {
        Assert.True(Http.Response("no-cache=\"X-A\", no-cache").NoCache);
    }

    // §5.2.2.7: unqualified private vs private with a field list.
    [Fact]
    public void Private_BareAndQualified()
    {
        Assert.True(Http.Response("private").Private);
        var qualified = Http.Response("private=\"Set-Cookie, X-User\"");
        Assert.False(qualified.Private);
        Assert.Equal(["Set-Cookie", "X-User"], qualified.PrivateFields);
        Assert.True(Http.Response("private=\"\"").Private);
    }

    [Fact]
    public void RestrictiveDirectives_WithAnArgument_StillApply()
    {
        Assert.True(Http.Response("no-store=1").NoStore);
        Assert.True(Http.Response("must-revalidate=yes").MustRevalidate);
    }

    [Fact]
    public void PermissiveDirectives_WithAnArgument_AreIgnored()
    {
        Assert.False(Http.Response("public=yes").Public);
        Assert.False(Http.Response("immutable=1").Immutable);
        Assert.False(Http.Response("must-understand=1").MustUnderstand);
    }
}
