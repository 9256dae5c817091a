using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §3.5 Storing Responses to Authenticated Requests.</summary>
public class Rfc9111_3_5_AuthenticatedRequestsTests
{
    private static StorabilityDecision Evaluate(string cacheControl, string? targeted = null)
    {
        var request = Http.Headers(("Authorization", "Bearer abc"));
        var response = Http.Headers(("Cache-Control", cacheControl));
        if (targeted is not null)
        {
            response.Append("CDN-Cache-Control", targeted);
        }
        return Storability.Evaluate(
            "GET",
            request,
            RequestCacheControl.None,
            200,
            response,
            ResponseCacheControl.FromResponse(response, CachePolicy.Default.TargetedFieldNames));
    }

    // §3.5 MUST NOT: without must-revalidate, public or s-maxage, a shared cache does not reuse (so does not store) it.
    [Theory]
    [InlineData("max-age=60")]
    [InlineData("")]
    [InlineData("proxy-revalidate, max-age=60")]
    public void Authorization_WithoutPermission_IsNotStored_Section3_5(string cacheControl)
    {
        Assert.Equal(NotStorableReason.Authorization, Evaluate(cacheControl).Reason);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("max-age=60, must-revalidate")]
    [InlineData("s-maxage=60")]
    public void Authorization_WithPermission_IsStored_Section3_5(string cacheControl)
    {
        Assert.True(Evaluate(cacheControl).IsStorable);
    }

    // RFC 9213 §2.2: the targeted field replaces Cache-Control, also for this decision.
    [Fact]
    public void Authorization_PermissionInTheSelectedTargetedField_Counts()
    {
        Assert.True(Evaluate("max-age=60", targeted: "public, max-age=60").IsStorable);
        Assert.Equal(NotStorableReason.Authorization, Evaluate("public, max-age=60", targeted: "max-age=60").Reason);
    }

    [Fact]
    public void NoAuthorization_NeedsNoPermission()
    {
        var headers = Http.Headers(("Cache-Control", "max-age=60"));
        var decision = Storability.Evaluate("GET", Http.Headers(), RequestCacheControl.None, 200, headers, Http.Response("max-age=60"));

        Assert.True(decision.IsStorable);
    }
}
