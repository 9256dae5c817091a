using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §3 Storing Responses in Caches (and RFC 9110 §15.1 heuristically cacheable status codes).</summary>
public class Rfc9111_3_StorabilityTests
{
    private static StorabilityDecision Evaluate(
        string cacheControl,
        int status = 200,
        string method = "GET",
        string? requestCacheControl = null,
        HeaderDictionary? requestHeaders = null,
        HeaderDictionary? responseHeaders = null)
    {
        responseHeaders ??= Http.Headers();
        if (cacheControl.Length > 0)
        {
            responseHeaders.Append("Cache-Control", cacheControl);
        }
        requestHeaders ??= Http.Headers();
        if (requestCacheControl is not null)
        {
            requestHeaders.Append("Cache-Control", requestCacheControl);
        }
        return Storability.Evaluate(
            method,
            requestHeaders,
            RequestCacheControl.FromRequest(requestHeaders),
            status,
            responseHeaders,
            ResponseCacheControl.FromResponse(responseHeaders, CachePolicy.Default.TargetedFieldNames));
    }

    [Fact]
    public void Get200_WithMaxAge_IsStorable()
    {
        var decision = Evaluate("max-age=60");

        Assert.True(decision.IsStorable);
        Assert.Equal(NotStorableReason.None, decision.Reason);
    }

    // §3 MUST NOT: "the request method is understood by the cache" — this cache stores GET only; HEAD freshens.
    [Theory]
    [InlineData("HEAD")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("OPTIONS")]
    [InlineData("BREW")]
    public void MethodOtherThanGet_IsNotStored_Section3(string method)
    {
        Assert.Equal(NotStorableReason.Method, Evaluate("max-age=60, public", method: method).Reason);
    }

    // §3 MUST NOT: "the response status code is final".
    [Theory]
    [InlineData(100)]
    [InlineData(103)]
    public void InterimStatus_IsNotStored_Section3(int status)
    {
        Assert.Equal(NotStorableReason.StatusNotFinal, Evaluate("max-age=60", status).Reason);
    }

    // §3 MUST NOT: 206 and 304 only when the cache understands them; this cache stores neither (§3.3, §4.3.4).
    [Theory]
    [InlineData(206)]
    [InlineData(304)]
    public void PartialOrNotModified_IsNotStored_Section3(int status)
    {
        Assert.Equal(NotStorableReason.StatusNotUnderstood, Evaluate("max-age=60", status).Reason);
    }

    // §3 / §5.2.2.3: must-understand with a status code the cache does not understand: not stored.
    [Theory]
    [InlineData(299)]
    [InlineData(418)]
    [InlineData(599)]
    public void MustUnderstand_UnknownStatus_IsNotStored_Section3(int status)
    {
        Assert.Equal(NotStorableReason.StatusNotUnderstood, Evaluate("max-age=60, must-understand, no-store", status).Reason);
    }

    // §5.2.2.3 SHOULD: with must-understand and an understood status, no-store is ignored.
    [Fact]
    public void MustUnderstand_KnownStatus_OverridesNoStore_Section5_2_2_3()
    {
        Assert.True(Evaluate("max-age=60, must-understand, no-store").IsStorable);
    }

    // §3 MUST NOT / §5.2.2.5 MUST NOT store: no-store in the response.
    [Fact]
    public void ResponseNoStore_IsNotStored_Section5_2_2_5()
    {
        Assert.Equal(NotStorableReason.ResponseNoStore, Evaluate("max-age=60, public, no-store").Reason);
        Assert.Equal(NotStorableReason.ResponseNoStore, Evaluate("NO-STORE").Reason);
    }

    // §5.2.1.5 MUST NOT store any response to a request with no-store.
    [Fact]
    public void RequestNoStore_IsNotStored_Section5_2_1_5()
    {
        Assert.Equal(NotStorableReason.RequestNoStore, Evaluate("max-age=60", requestCacheControl: "no-store").Reason);
    }

    // §3 / §5.2.2.7 MUST NOT: a shared cache does not store a response with unqualified private.
    [Fact]
    public void Private_IsNotStored_Section5_2_2_7()
    {
        Assert.Equal(NotStorableReason.Private, Evaluate("private, max-age=60").Reason);
        Assert.Equal(NotStorableReason.Private, Evaluate("public, private").Reason);
    }

    // §5.2.2.7: qualified private only limits the listed fields; the rest may be stored.
    [Fact]
    public void QualifiedPrivate_IsStored_Section5_2_2_7()
    {
        Assert.True(Evaluate("private=\"Set-Cookie\", max-age=60").IsStorable);
    }

    // §7.3 lets a cache store a response that sets a cookie; this one does not (nginx's and Varnish's choice), so one
    // client's cookie never reaches the next, whatever freshness the response claims.
    [Theory]
    [InlineData("max-age=60")]
    [InlineData("public, max-age=60")]
    [InlineData("s-maxage=60")]
    [InlineData("")]
    public void SettingACookie_IsNotStored(string cacheControl)
    {
        var responseHeaders = Http.Headers(("Set-Cookie", "sid=abc; Path=/; HttpOnly"));

        Assert.Equal(NotStorableReason.SetCookie, Evaluate(cacheControl, responseHeaders: responseHeaders).Reason);
    }

    // The origin that means such a response to be shared keeps the cookie out of the stored copy (§5.2.2.4, §5.2.2.7).
    [Theory]
    [InlineData("max-age=60, no-cache=\"Set-Cookie\"")]
    [InlineData("max-age=60, private=\"set-cookie\"")]
    [InlineData("max-age=60, no-cache=\"X-Other, SET-COOKIE\"")]
    public void SettingACookie_NamedInAQualifiedDirective_IsStoredWithoutIt(string cacheControl)
    {
        var responseHeaders = Http.Headers(("Set-Cookie", "sid=abc"), ("Content-Type", "text/plain"));

        Assert.True(Evaluate(cacheControl, responseHeaders: responseHeaders).IsStorable);
        var stored = StoredHeaders.Select(responseHeaders, ResponseCacheControl.FromResponse(Http.Headers(("Cache-Control", cacheControl)), CachePolicy.Default.TargetedFieldNames));
        Assert.False(stored.ContainsKey("Set-Cookie"));
        Assert.Equal("text/plain", stored["Content-Type"]);
    }

    [Fact]
    public void AnotherFieldNamedInNoCache_StillLeavesTheCookieOut()
    {
        var responseHeaders = Http.Headers(("Set-Cookie", "sid=abc"));

        Assert.Equal(NotStorableReason.SetCookie, Evaluate("max-age=60, no-cache=\"X-Other\"", responseHeaders: responseHeaders).Reason);
    }

    // §4.1: Vary: * always fails to match — not worth storing.
    [Theory]
    [InlineData("*")]
    [InlineData("Accept, *")]
    public void VaryStar_IsNotStored_Section4_1(string vary)
    {
        Assert.Equal(NotStorableReason.VaryAll, Evaluate("max-age=60", responseHeaders: Http.Headers(("Vary", vary))).Reason);
    }

    // §3: the response must contain public, Expires, max-age, s-maxage or a heuristically cacheable status.
    [Theory]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(500)]
    [InlineData(503)]
    public void NotHeuristicallyCacheable_WithoutFreshness_IsNotStored_Section3(int status)
    {
        Assert.Equal(NotStorableReason.NoFreshnessInformation, Evaluate("", status).Reason);
        Assert.Equal(NotStorableReason.NoFreshnessInformation, Evaluate("must-revalidate", status).Reason);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("max-age=60")]
    [InlineData("s-maxage=60")]
    [InlineData("max-age=abc")] // present, though invalid: stored as stale, to be validated
    public void NotHeuristicallyCacheable_WithExplicitCacheability_IsStored_Section3(string cacheControl)
    {
        Assert.True(Evaluate(cacheControl, 302).IsStorable);
    }

    [Fact]
    public void Expires_MakesAnyFinalStatusStorable_Section3()
    {
        var headers = Http.Headers(("Expires", Http.Date(Http.At(60))));

        Assert.True(Evaluate("", 302, responseHeaders: headers).IsStorable);
        Assert.True(Evaluate("", 500, responseHeaders: Http.Headers(("Expires", "0"))).IsStorable);
    }

    // RFC 9110 §15.1: 200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501 are heuristically cacheable.
    [Theory]
    [InlineData(200, true)]
    [InlineData(203, true)]
    [InlineData(204, true)]
    [InlineData(206, true)]
    [InlineData(300, true)]
    [InlineData(301, true)]
    [InlineData(308, true)]
    [InlineData(404, true)]
    [InlineData(405, true)]
    [InlineData(410, true)]
    [InlineData(414, true)]
    [InlineData(501, true)]
    [InlineData(201, false)]
    [InlineData(302, false)]
    [InlineData(307, false)]
    [InlineData(401, false)]
    [InlineData(451, false)]
    [InlineData(500, false)]
    [InlineData(502, false)]
    public void HeuristicallyCacheableStatusCodes_Rfc9110_15_1(int status, bool cacheable)
    {
        Assert.Equal(cacheable, Storability.IsHeuristicallyCacheable(status));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(301)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(501)]
    public void HeuristicallyCacheable_WithoutAnyDirective_IsStored_Section3(int status)
    {
        Assert.True(Evaluate("", status).IsStorable);
    }

    // §5.2.2.4: no-cache responses may be stored; they are validated before every use.
    [Fact]
    public void NoCache_IsStored_Section5_2_2_4()
    {
        Assert.True(Evaluate("no-cache").IsStorable);
    }

    // §5.2.3 MUST ignore unknown directives: they neither allow nor forbid storing.
    [Fact]
    public void UnknownDirective_DoesNotMakeStorable_Section5_2_3()
    {
        Assert.Equal(NotStorableReason.NoFreshnessInformation, Evaluate("cache-me-please", 302).Reason);
    }
}
