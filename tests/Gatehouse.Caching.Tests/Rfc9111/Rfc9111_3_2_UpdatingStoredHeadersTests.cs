using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §3.2 Updating Stored Header Fields (used by §4.3.4 and §4.3.5).</summary>
public class Rfc9111_3_2_UpdatingStoredHeadersTests
{
    private static readonly string[] Targeted = [CachePolicy.CdnCacheControl];

    private static HeaderDictionary Stored() => Http.Headers(
        ("Date", Http.Date(Http.Now)), ("Cache-Control", "max-age=60"), ("ETag", "\"v1\""), ("Content-Type", "text/plain"),
        ("Content-Length", "5"), ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"), ("Age", "10"), ("X-Old", "o"));

    private static IHeaderDictionary Update(HeaderDictionary newer) => StoredHeaders.Update(Stored(), newer, Targeted);

    // §3.2 MUST: each field of the new response replaces the stored one; fields it lacks are kept.
    [Fact]
    public void NewFields_ReplaceStoredOnes_OthersKept_Section3_2()
    {
        var updated = Update(Http.Headers(("Cache-Control", "max-age=300"), ("X-New", "n"), ("Content-Type", "text/html")));

        Assert.Equal("max-age=300", updated["Cache-Control"]);
        Assert.Equal("n", updated["X-New"]);
        Assert.Equal("o", updated["X-Old"]);
        Assert.Equal("\"v1\"", updated["ETag"]);
        // "the Content-* prefix is not a signal that a header field is omitted from update".
        Assert.Equal("text/html", updated["Content-Type"]);
    }

    [Fact]
    public void MultipleFieldLines_ReplaceAsAWhole_Section3_2()
    {
        var updated = Update(Http.Headers(("X-Old", "a"), ("X-Old", "b")));

        Assert.Equal(["a", "b"], updated["X-Old"].ToArray());
    }

    // §3.2 MUST NOT: Content-Length is never updated.
    [Fact]
    public void ContentLength_IsNotUpdated_Section3_2()
    {
        Assert.Equal("5", Update(Http.Headers(("Content-Length", "0")))["Content-Length"]);
    }

    // §3.2: fields excepted from storage (§3.1) are not added by an update either.
    [Fact]
    public void FieldsExceptedFromStorage_AreNotAdded_Section3_2()
    {
        var updated = Update(Http.Headers(
            ("Connection", "X-Hop"), ("X-Hop", "1"), ("Transfer-Encoding", "chunked"), ("Proxy-Authenticate", "Basic"),
            ("Cache-Control", "max-age=60, private=\"X-Secret\""), ("X-Secret", "s")));

        Assert.False(updated.ContainsKey("Connection"));
        Assert.False(updated.ContainsKey("X-Hop"));
        Assert.False(updated.ContainsKey("Transfer-Encoding"));
        Assert.False(updated.ContainsKey("Proxy-Authenticate"));
        Assert.False(updated.ContainsKey("X-Secret"));
    }

    // §3.2 MAY: fields processed by the recipient, such as Content-Range, are omitted; Vary chose the variant stored.
    [Fact]
    public void ContentRangeAndVary_AreNotUpdated_Section3_2()
    {
        var updated = Update(Http.Headers(("Content-Range", "bytes 0-1/5"), ("Vary", "User-Agent")));

        Assert.False(updated.ContainsKey("Content-Range"));
        Assert.Equal("Accept-Encoding", updated["Vary"]);
    }

    // Date and Age describe the validating message: a stored Age would otherwise age the just-validated response.
    [Fact]
    public void DateAndAge_ComeFromTheNewResponseOrGo()
    {
        var withBoth = Update(Http.Headers(("Date", Http.Date(Http.At(100))), ("Age", "2")));
        Assert.Equal(Http.Date(Http.At(100)), withBoth["Date"]);
        Assert.Equal("2", withBoth["Age"]);

        var withNeither = Update(Http.Headers(("ETag", "\"v1\"")));
        Assert.False(withNeither.ContainsKey("Date"));
        Assert.False(withNeither.ContainsKey("Age"));
    }

    [Fact]
    public void NoCacheFieldsOfTheMergedDirectives_AreDropped()
    {
        var stored = Http.Headers(("Cache-Control", "max-age=60"), ("Set-Cookie", "old=1"));

        var updated = StoredHeaders.Update(stored, Http.Headers(("Cache-Control", "max-age=60, no-cache=\"Set-Cookie\"")), Targeted);

        Assert.False(updated.ContainsKey("Set-Cookie"));
    }

    // A 304's cookie is for the client that asked; the stored response, which holds none, must not take it on.
    [Fact]
    public void ACookieOfTheNewerResponse_IsNotStored()
    {
        var updated = Update(Http.Headers(("Cache-Control", "max-age=300"), ("Set-Cookie", "sid=abc")));

        Assert.False(updated.ContainsKey("Set-Cookie"));
        Assert.Equal("max-age=300", updated["Cache-Control"]);
    }

    [Fact]
    public void Update_DoesNotChangeItsInputs()
    {
        var stored = Stored();
        var newer = Http.Headers(("X-New", "n"), ("Content-Length", "0"));

        _ = StoredHeaders.Update(stored, newer, Targeted);

        Assert.False(stored.ContainsKey("X-New"));
        Assert.Equal(9, stored.Count);
        Assert.Equal(2, newer.Count);
    }
}
