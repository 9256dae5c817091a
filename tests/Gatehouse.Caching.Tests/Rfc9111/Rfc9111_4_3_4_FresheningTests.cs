namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.3.4 Freshening Stored Responses upon Validation.</summary>
public class Rfc9111_4_3_4_FresheningTests
{
    private static StoredCandidate Candidate(int receivedAt, params (string, string)[] fields) => new(Http.Headers(fields), Http.At(receivedAt));

    // §4.3.4: a strong validator in the 304 selects every stored response with that strong validator.
    [Fact]
    public void StrongETag_SelectsAllWithThatStrongETag_Section4_3_4()
    {
        var candidates = new[]
        {
            Candidate(0, ("ETag", "\"a\"")),
            Candidate(1, ("ETag", "\"b\"")),
            Candidate(2, ("ETag", "\"a\"")),
            Candidate(3, ("ETag", "W/\"a\"")),
        };

        Assert.Equal([0, 2], Revalidation.SelectForUpdate(Http.Headers(("ETag", "\"a\"")), candidates));
    }

    // §4.3.4 MUST NOT: if no stored response has the strong validator, none is updated.
    [Fact]
    public void StrongETag_WithoutMatch_UpdatesNothing_Section4_3_4()
    {
        var candidates = new[] { Candidate(0, ("ETag", "W/\"a\""), ("Last-Modified", Http.Date(Http.At(-10)))), Candidate(1) };

        Assert.Empty(Revalidation.SelectForUpdate(Http.Headers(("ETag", "\"a\""), ("Last-Modified", Http.Date(Http.At(-10)))), candidates));
    }

    // §4.3.4: only weak validators: the most recent matching stored response.
    [Fact]
    public void WeakETag_SelectsTheMostRecentMatch_Section4_3_4()
    {
        var candidates = new[]
        {
            Candidate(0, ("ETag", "\"a\""), ("Date", Http.Date(Http.At(-50)))),
            Candidate(1, ("ETag", "W/\"a\""), ("Date", Http.Date(Http.At(-10)))),
            Candidate(2, ("ETag", "W/\"a\""), ("Date", Http.Date(Http.At(-30)))),
            Candidate(3, ("ETag", "\"b\""), ("Date", Http.Date(Http.At(0)))),
        };

        Assert.Equal([1], Revalidation.SelectForUpdate(Http.Headers(("ETag", "W/\"a\"")), candidates));
    }

    [Fact]
    public void LastModifiedOnly_SelectsTheMostRecentMatch_Section4_3_4()
    {
        var lastModified = Http.Date(Http.At(-1000));
        var candidates = new[]
        {
            Candidate(5, ("Last-Modified", lastModified)),
            Candidate(9, ("Last-Modified", lastModified)),
            Candidate(20, ("Last-Modified", Http.Date(Http.At(-999)))),
        };

        Assert.Equal([1], Revalidation.SelectForUpdate(Http.Headers(("Last-Modified", lastModified)), candidates));
    }

    [Fact]
    public void WeakValidators_WithoutMatch_UpdateNothing_Section4_3_4()
    {
        var candidates = new[] { Candidate(0, ("ETag", "W/\"b\"")) };

        Assert.Empty(Revalidation.SelectForUpdate(Http.Headers(("ETag", "W/\"a\"")), candidates));
    }

    // §4.3.4: no validator in the 304: the only stored response, if it lacks validators too.
    [Fact]
    public void NoValidator_SelectsTheOnlyCandidateWithoutValidator_Section4_3_4()
    {
        Assert.Equal([0], Revalidation.SelectForUpdate(Http.Headers(), [Candidate(0)]));
        Assert.Empty(Revalidation.SelectForUpdate(Http.Headers(), [Candidate(0), Candidate(1)]));
        Assert.Empty(Revalidation.SelectForUpdate(Http.Headers(), [Candidate(0, ("ETag", "\"a\""))]));
        Assert.Empty(Revalidation.SelectForUpdate(Http.Headers(), []));
    }

    // §4.3.4 MUST update the selected responses with the 304's fields as per §3.2; freshness restarts.
    [Fact]
    public void Update_FreshensTheStoredResponse_Section4_3_4()
    {
        var stored = Http.Headers(("Date", Http.Date(Http.At(-600))), ("Cache-Control", "max-age=60"), ("ETag", "\"a\""), ("Content-Length", "5"));
        var notModified = Http.Headers(("Date", Http.Date(Http.Now)), ("Cache-Control", "max-age=120"), ("ETag", "\"a\""));

        var updated = StoredHeaders.Update(stored, notModified, CachePolicy.Default.TargetedFieldNames);
        var freshness = Http.FreshnessOf(200, updated);

        Assert.Equal("5", updated["Content-Length"]);
        Assert.Equal(Http.Seconds(120), freshness.Lifetime);
        Assert.Equal(TimeSpan.Zero, freshness.CorrectedInitialAge);
        Assert.Equal(ReuseDecision.Fresh, Reuse.Decide(freshness, RequestCacheControl.None, Http.At(100)));
    }
}
