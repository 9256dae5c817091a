namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.4 Invalidating Stored Responses.</summary>
public class Rfc9111_4_4_InvalidationTests
{
    private static readonly Uri Target = new("https://example.com/items/1?x=1");

    private static IReadOnlyList<Uri> Targets(string method, int status, params (string, string)[] fields) =>
        Invalidation.Targets(method, status, Target, Http.Headers(fields));

    // §4.4 MUST invalidate the target URI on a non-error response to an unsafe method, including unknown methods.
    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("BREW")]
    public void UnsafeMethod_NonError_InvalidatesTheTarget_Section4_4(string method)
    {
        Assert.Equal([Target], Targets(method, 200));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(399)]
    public void NonErrorStatuses_Invalidate_Section4_4(int status)
    {
        Assert.Single(Targets("POST", status));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(503)]
    public void ErrorStatuses_InvalidateNothing_Section4_4(int status)
    {
        Assert.Empty(Targets("POST", status));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("TRACE")]
    [InlineData("get")]
    public void SafeMethods_InvalidateNothing_Section4_4(string method)
    {
        Assert.Empty(Targets(method, 200));
    }

    // §4.4 MAY: Location and Content-Location, resolved against the target URI, when of the same origin.
    [Fact]
    public void SameOriginLocationAndContentLocation_AreInvalidated_Section4_4()
    {
        var targets = Targets("POST", 201, ("Location", "/items/2"), ("Content-Location", "https://EXAMPLE.com:443/items/2/view"));

        Assert.Equal([Target, new Uri("https://example.com/items/2"), new Uri("https://example.com/items/2/view")], targets);
    }

    [Fact]
    public void RelativeReference_IsResolvedAgainstTheTarget_Section4_4()
    {
        Assert.Equal(new Uri("https://example.com/items/3"), Targets("PUT", 200, ("Location", "3"))[1]);
    }

    // §4.4 MUST NOT invalidate a URI whose origin (scheme, host, port) differs from the target's.
    [Theory]
    [InlineData("https://other.example/items/2")]
    [InlineData("http://example.com/items/2")]
    [InlineData("https://example.com:8443/items/2")]
    [InlineData("//other.example/x")]
    public void OtherOrigin_IsNotInvalidated_Section4_4(string location)
    {
        Assert.Equal([Target], Targets("POST", 201, ("Location", location), ("Content-Location", location)));
    }

    [Fact]
    public void DuplicatesAndGarbage_AreDropped()
    {
        Assert.Equal([Target], Targets("POST", 200, ("Location", Target.ToString()), ("Content-Location", "http://[bad")));
    }
}
