namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.3.5 Freshening Responses with HEAD.</summary>
public class Rfc9111_4_3_5_HeadFresheningTests
{
    private static readonly string LastModified = Http.Date(Http.At(-3600));

    private static Microsoft.AspNetCore.Http.HeaderDictionary Stored() =>
        Http.Headers(("ETag", "\"v1\""), ("Last-Modified", LastModified), ("Content-Length", "100"), ("Cache-Control", "max-age=60"));

    [Fact]
    public void SameValidatorsAndLength_Updates_Section4_3_5()
    {
        var head = Http.Headers(("ETag", "\"v1\""), ("Last-Modified", LastModified), ("Content-Length", "100"), ("Cache-Control", "max-age=600"));

        Assert.Equal(HeadFreshening.Update, Revalidation.EvaluateHead(Stored(), head));
    }

    [Fact]
    public void FieldsTheHeadResponseLacks_AreNotCompared_Section4_3_5()
    {
        Assert.Equal(HeadFreshening.Update, Revalidation.EvaluateHead(Stored(), Http.Headers(("Cache-Control", "max-age=600"))));
    }

    [Fact]
    public void SameLastModifiedInAnotherFormat_Updates_Section4_3_5()
    {
        Assert.Equal(HeadFreshening.Update, Revalidation.EvaluateHead(Stored(), Http.Headers(("Last-Modified", LastModified.ToUpperInvariant()))));
    }

    // §4.3.5 SHOULD: a differing validator or Content-Length makes the stored response stale.
    [Theory]
    [InlineData("ETag", "\"v2\"")]
    [InlineData("ETag", "W/\"v1\"")]
    [InlineData("Last-Modified", "Sun, 01 Jun 2025 12:00:00 GMT")]
    [InlineData("Content-Length", "101")]
    public void DifferentValidatorOrLength_MarksStale_Section4_3_5(string name, string value)
    {
        Assert.Equal(HeadFreshening.MarkStale, Revalidation.EvaluateHead(Stored(), Http.Headers((name, value))));
    }

    [Fact]
    public void ValidatorTheStoredResponseLacks_MarksStale_Section4_3_5()
    {
        Assert.Equal(HeadFreshening.MarkStale, Revalidation.EvaluateHead(Http.Headers(("Content-Length", "100")), Http.Headers(("ETag", "\"v1\""))));
    }

    // §4.3.5 MUST: the update uses the HEAD response's fields as per §3.2 — but never its Content-Length.
    [Fact]
    public void Update_UsesTheHeadFields_Section4_3_5()
    {
        var head = Http.Headers(("ETag", "\"v1\""), ("Content-Length", "100"), ("Cache-Control", "max-age=600"), ("X-New", "1"));

        var updated = StoredHeaders.Update(Stored(), head, CachePolicy.Default.TargetedFieldNames);

        Assert.Equal("max-age=600", updated["Cache-Control"]);
        Assert.Equal("1", updated["X-New"]);
        Assert.Equal("100", updated["Content-Length"]);
    }
}
