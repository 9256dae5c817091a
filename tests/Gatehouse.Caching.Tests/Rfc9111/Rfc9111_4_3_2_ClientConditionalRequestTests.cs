using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>
/// RFC 9111 §4.3.2 Handling a Received Validation Request, with RFC 9110 §13.1.2 If-None-Match, §13.1.3
/// If-Modified-Since, §13.2 precedence and §15.4.5 304 Not Modified.
/// </summary>
public class Rfc9111_4_3_2_ClientConditionalRequestTests
{
    private static readonly string LastModified = Http.Date(Http.At(-3600));

    private static HeaderDictionary StoredHeaders() =>
        Http.Headers(("ETag", "\"v1\""), ("Last-Modified", LastModified), ("Date", Http.Date(Http.Now)), ("Content-Type", "text/plain"));

    private static ConditionalOutcome Evaluate(HeaderDictionary request, string method = "GET", int status = 200, HeaderDictionary? stored = null) =>
        ClientConditions.Evaluate(method, request, status, stored ?? StoredHeaders(), Http.Now);

    [Fact]
    public void NoPreconditions_SendsStored()
    {
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers()));
    }

    // RFC 9110 §13.1.2 MUST: If-None-Match uses the weak comparison.
    [Theory]
    [InlineData("\"v1\"")]
    [InlineData("W/\"v1\"")]
    [InlineData("\"v0\", \"v1\"")]
    [InlineData("\"a,b\", W/\"v1\"")]
    public void IfNoneMatch_MatchingTag_IsNotModified_Rfc9110_13_1_2(string ifNoneMatch)
    {
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-None-Match", ifNoneMatch))));
    }

    [Fact]
    public void IfNoneMatch_WeakStoredTag_MatchesWeakly_Rfc9110_13_1_2()
    {
        var stored = Http.Headers(("ETag", "W/\"v1\""));

        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-None-Match", "\"v1\"")), stored: stored));
    }

    [Theory]
    [InlineData("\"v2\"")]
    [InlineData("\"V1\"")]
    [InlineData("\"v0\", W/\"v2\"")]
    public void IfNoneMatch_NoMatchingTag_SendsStored_Rfc9110_13_1_2(string ifNoneMatch)
    {
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-None-Match", ifNoneMatch))));
    }

    [Fact]
    public void IfNoneMatch_ListOverSeveralLines_Rfc9110_13_1_2()
    {
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-None-Match", "\"v0\""), ("If-None-Match", "\"v1\""))));
    }

    [Fact]
    public void IfNoneMatch_Star_IsNotModified_Rfc9110_13_1_2()
    {
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-None-Match", "*"))));
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-None-Match", "*")), stored: Http.Headers()));
    }

    [Fact]
    public void IfNoneMatch_StoredWithoutETag_SendsStored()
    {
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-None-Match", "\"v1\"")), stored: Http.Headers()));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("\"v1")]
    [InlineData("*, \"v1\"")]
    [InlineData("\"v1\" junk")]
    public void IfNoneMatch_Unreadable_IsForwarded(string ifNoneMatch)
    {
        Assert.Equal(ConditionalOutcome.Forward, Evaluate(Http.Headers(("If-None-Match", ifNoneMatch))));
    }

    // RFC 9110 §13.1.3: Last-Modified not later than If-Modified-Since: 304.
    [Fact]
    public void IfModifiedSince_NotModifiedSince_IsNotModified_Rfc9110_13_1_3()
    {
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-Modified-Since", LastModified))));
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-Modified-Since", Http.Date(Http.At(-10))))));
    }

    [Fact]
    public void IfModifiedSince_ModifiedSince_SendsStored_Rfc9110_13_1_3()
    {
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-Modified-Since", Http.Date(Http.At(-3601))))));
    }

    // RFC 9110 §13.1.3 MUST ignore If-Modified-Since when If-None-Match is present (§13.2.2 precedence; §4.3.2).
    [Fact]
    public void IfNoneMatch_TakesPrecedenceOverIfModifiedSince_Rfc9110_13_1_3()
    {
        var request = Http.Headers(("If-None-Match", "\"v2\""), ("If-Modified-Since", LastModified));

        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(request));
    }

    // RFC 9110 §13.1.3 MUST ignore an invalid date or a field with more than one member.
    [Fact]
    public void IfModifiedSince_InvalidOrRepeated_IsIgnored_Rfc9110_13_1_3()
    {
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-Modified-Since", "yesterday"))));
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-Modified-Since", LastModified), ("If-Modified-Since", LastModified))));
    }

    // §4.3.2 SHOULD: without Last-Modified, the stored Date (else the time of receipt) stands in.
    [Fact]
    public void IfModifiedSince_WithoutLastModified_UsesDateThenReceipt_Section4_3_2()
    {
        var withDate = Http.Headers(("Date", Http.Date(Http.At(-100))));
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-Modified-Since", Http.Date(Http.At(-100)))), stored: withDate));
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-Modified-Since", Http.Date(Http.At(-101)))), stored: withDate));

        var bare = Http.Headers();
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-Modified-Since", Http.Date(Http.Now))), stored: bare));
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-Modified-Since", Http.Date(Http.At(-1)))), stored: bare));
    }

    // §4.3.2 MUST NOT evaluate fields that only apply to an origin server: If-Match, If-Unmodified-Since.
    [Theory]
    [InlineData("If-Match", "\"v1\"")]
    [InlineData("If-Unmodified-Since", "Sun, 01 Jun 2025 12:00:00 GMT")]
    public void OriginOnlyPreconditions_AreForwarded_Section4_3_2(string name, string value)
    {
        Assert.Equal(ConditionalOutcome.Forward, Evaluate(Http.Headers((name, value), ("If-None-Match", "\"v1\""))));
    }

    [Fact]
    public void HeadRequests_AreEvaluatedToo()
    {
        Assert.Equal(ConditionalOutcome.NotModified, Evaluate(Http.Headers(("If-None-Match", "\"v1\"")), method: "HEAD"));
    }

    // RFC 9110 §13.1.3 MUST ignore If-Modified-Since for methods other than GET and HEAD.
    [Fact]
    public void OtherMethods_AreNotEvaluated_Rfc9110_13_1_3()
    {
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-Modified-Since", LastModified)), method: "POST"));
    }

    // RFC 9110 §13.2.1 MUST ignore preconditions when the response would not be 2xx.
    [Theory]
    [InlineData(404)]
    [InlineData(301)]
    public void NonSuccessStoredStatus_IgnoresPreconditions_Rfc9110_13_2_1(int status)
    {
        Assert.Equal(ConditionalOutcome.SendStored, Evaluate(Http.Headers(("If-None-Match", "*")), status: status));
    }

    // RFC 9110 §15.4.5: a 304 carries Cache-Control, Content-Location, Date, ETag, Expires and Vary.
    [Fact]
    public void NotModifiedHeaders_CarryTheCacheRelevantFields_Rfc9110_15_4_5()
    {
        var stored = Http.Headers(
            ("Cache-Control", "max-age=60"), ("Content-Location", "/a"), ("Date", Http.Date(Http.Now)), ("ETag", "\"v1\""),
            ("Expires", Http.Date(Http.At(60))), ("Vary", "Accept"), ("Last-Modified", LastModified),
            ("Content-Type", "text/plain"), ("Content-Length", "5"), ("Set-Cookie", "a=1"));

        var headers = ClientConditions.NotModifiedHeaders(stored);

        Assert.Equal(
            ["Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Last-Modified", "Vary"],
            headers.Keys.Order(StringComparer.Ordinal));
    }
}
