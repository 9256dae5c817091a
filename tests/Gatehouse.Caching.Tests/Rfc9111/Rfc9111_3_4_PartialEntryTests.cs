using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>
/// RFC 9111 §3.3 and §3.4 as the cache applies them to entries: which 206 is stored, which requests stored parts
/// answer, how a sparse body holds and combines parts, and what is stored when a part arrives.
/// </summary>
public class Rfc9111_3_4_PartialEntryTests
{
    private static readonly byte[] Content = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];

    [Fact]
    public void LastModified_IsAStrongValidator_OnlyAMinuteBeforeDate_Rfc9110_8_8_2_2()
    {
        var old = Http.Headers(("Last-Modified", Http.Date(Http.At(-60))), ("Date", Http.Date(Http.Now)));
        Assert.NotNull(PartialContent.StrongValidator(old));
        Assert.Null(PartialContent.StrongValidator(Http.Headers(("Last-Modified", Http.Date(Http.At(-59))), ("Date", Http.Date(Http.Now)))));
        Assert.Null(PartialContent.StrongValidator(Http.Headers(("Last-Modified", Http.Date(Http.At(-600)))))); // no Date
        // A weak entity tag is not passed over for the date: the origin said the bytes may differ under it.
        Assert.Null(PartialContent.StrongValidator(Http.Headers(("ETag", "W/\"a\""), ("Last-Modified", Http.Date(Http.At(-600))), ("Date", Http.Date(Http.Now)))));
        Assert.True(PartialContent.TryReadPart(206, Http.Headers(("Content-Range", "bytes 0-9/100"), ("Last-Modified", Http.Date(Http.At(-60))), ("Date", Http.Date(Http.Now))), 10, out _));
        // The same date from a later response is the same validator; another date is another representation.
        var later = Http.Headers(("Last-Modified", Http.Date(Http.At(-60))), ("Date", Http.Date(Http.At(30))));
        Assert.True(PartialContent.SameStrongValidator(old, later));
        Assert.False(PartialContent.SameStrongValidator(old, Http.Headers(("Last-Modified", Http.Date(Http.At(-61))), ("Date", Http.Date(Http.Now)))));
        Assert.False(PartialContent.SameStrongValidator(old, Http.Headers(("ETag", "\"a\""))));
    }

    [Fact]
    public void A206_IsJudgedAsThe200ItIsPartOf_Section3()
    {
        var request = new HeaderDictionary();
        StorabilityDecision Evaluate(params (string, string)[] fields)
        {
            var headers = Http.Headers(fields);
            return PartialContent.EvaluateStorability("GET", request, RequestCacheControl.None, headers, ResponseCacheControl.FromResponse(headers, []));
        }

        Assert.True(Evaluate(("ETag", "\"a\""), ("Content-Range", "bytes 0-9/100")).IsStorable); // heuristically cacheable, like 200
        Assert.Equal(NotStorableReason.ResponseNoStore, Evaluate(("ETag", "\"a\""), ("Content-Range", "bytes 0-9/100"), ("Cache-Control", "no-store")).Reason);
        Assert.Equal(NotStorableReason.Private, Evaluate(("ETag", "\"a\""), ("Content-Range", "bytes 0-9/100"), ("Cache-Control", "private")).Reason);
        Assert.True(Evaluate(("ETag", "\"a\""), ("Content-Range", "bytes 0-9/100"), ("Cache-Control", "max-age=9, must-understand")).IsStorable);
        // Not a part this cache can keep: no strong validator, no complete length, several ranges.
        Assert.Equal(NotStorableReason.StatusNotUnderstood, Evaluate(("ETag", "W/\"a\""), ("Content-Range", "bytes 0-9/100")).Reason);
        Assert.Equal(NotStorableReason.StatusNotUnderstood, Evaluate(("ETag", "\"a\""), ("Content-Range", "bytes 0-9/*")).Reason);
        Assert.Equal(NotStorableReason.StatusNotUnderstood, Evaluate(("ETag", "\"a\""), ("Content-Type", "multipart/byteranges; boundary=x")).Reason);
        Assert.Equal(NotStorableReason.RequestNoStore, PartialContent.EvaluateStorability(
            "GET", request, Http.Request("no-store"), Http.Headers(("ETag", "\"a\""), ("Content-Range", "bytes 0-9/100")), ResponseCacheControl.None).Reason);
    }

    [Fact]
    public void StoredParts_AnswerOneCoveredRangeOfAGet_WhoseIfRangeHolds_Section3_3()
    {
        IReadOnlyList<ContentPart> parts = [new(0, 49, 100)];
        var stored = Http.Headers(("ETag", "\"a\""), ("Date", Http.Date(Http.Now)));
        ContentPart? Answer(string method, params (string, string)[] request) => PartialContent.Answerable(method, Http.Headers(request), stored, parts);

        Assert.Equal(new ContentPart(10, 19, 100), Answer("GET", ("Range", "bytes=10-19")));
        Assert.Equal(new ContentPart(10, 19, 100), Answer("GET", ("Range", "bytes=10-19"), ("If-Range", "\"a\"")));
        Assert.Null(Answer("GET", ("Range", "bytes=10-19"), ("If-Range", "\"b\""))); // the full representation is due
        Assert.Null(Answer("GET", ("Range", "bytes=10-19"), ("If-Range", "W/\"a\""))); // If-Range compares strongly
        Assert.Null(Answer("GET")); // a full GET: the parts are not the whole
        Assert.Null(Answer("HEAD", ("Range", "bytes=10-19")));
        Assert.Null(Answer("GET", ("Range", "bytes=10-19, 30-39"))); // several ranges: the origin's to answer
        Assert.Null(Answer("GET", ("Range", "bytes=40-59"))); // past the held bytes
        Assert.Null(Answer("GET", ("Range", "items=0-9")));
    }

    [Fact]
    public void SparseBody_HoldsOnlyThePartsBytes_AndCombinesThem_Section3_4()
    {
        var body = Part(50, 59);
        Assert.Equal(10, body.Bytes.Length);
        body = body.Add(new ContentPart(0, 9, 100), Content.AsMemory(0, 10));
        Assert.Equal(20, body.Bytes.Length);
        Assert.Equal(Content[52..56], body.Slice(new ContentPart(52, 55, 100)).ToArray());
        Assert.Equal(Content[0..10], body.Slice(new ContentPart(0, 9, 100)).ToArray());

        body = body.Add(new ContentPart(5, 54, 100), Content.AsMemory(5, 50)); // overlaps both, fills the gap
        Assert.Equal([new ContentPart(0, 59, 100)], body.Parts);
        Assert.Equal(Content[0..60], body.Bytes.ToArray());
        Assert.False(body.IsComplete);

        body = body.Add(new ContentPart(60, 99, 100), Content.AsMemory(60, 40));
        Assert.True(body.IsComplete);
        Assert.Equal(Content, body.Bytes.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseBody.Of(new ContentPart(0, 9, 100), Content.AsMemory(0, 9)));
    }

    [Fact]
    public void AReceivedPart_IsCombinedWithPartsOfTheSameRepresentation_Section3_4()
    {
        var first = Entry(0, 49, ("ETag", "\"a\""), ("Cache-Control", "max-age=60"), ("X-Version", "1"));
        var stored = CacheEntries.CombinePart(null, first, Content.AsMemory(0, 50), Settings, Http.Now, Http.Now)!;
        Assert.Equal(206, stored.StatusCode);
        Assert.Equal([new ContentPart(0, 49, 100)], stored.Parts);
        Assert.False(stored.Headers.ContainsKey("Content-Range")); // each answer states its own

        var second = Entry(60, 69, ("ETag", "\"a\""), ("Cache-Control", "max-age=120"), ("X-Version", "2"));
        var combined = CacheEntries.CombinePart(stored, second, Content.AsMemory(60, 10), Settings, Http.At(10), Http.At(10))!;
        Assert.Equal([new ContentPart(0, 49, 100), new ContentPart(60, 69, 100)], combined.Parts);
        Assert.Equal("2", combined.Headers["X-Version"]); // the newest response's fields (§3.2)
        Assert.Equal(TimeSpan.FromSeconds(120), combined.Freshness.Lifetime);
        Assert.Equal(Http.At(10), combined.Freshness.ResponseTime);
        Assert.Equal(60, combined.Body.Length); // only the held bytes, and each part's place is counted in the size
        Assert.Equal(2 * 24, combined.Size - (combined with { Parts = null }).Size);

        // Another representation replaces the parts rather than mixing with them.
        var changed = Entry(50, 59, ("ETag", "\"b\""), ("Cache-Control", "max-age=60"));
        var replaced = CacheEntries.CombinePart(combined, changed, Content.AsMemory(50, 10), Settings, Http.At(20), Http.At(20))!;
        Assert.Equal([new ContentPart(50, 59, 100)], replaced.Parts);
        Assert.Equal("\"b\"", replaced.Headers["ETag"]);

        // A body that is not the range it claims is not stored.
        Assert.Null(CacheEntries.CombinePart(stored, second, Content.AsMemory(60, 9), Settings, Http.Now, Http.Now));
    }

    [Fact]
    public void PartsThatMakeTheWhole_BecomeAComplete200Entry_Section3_4()
    {
        var first = CacheEntries.CombinePart(null, Entry(0, 49, ("ETag", "\"a\""), ("Cache-Control", "max-age=60")), Content.AsMemory(0, 50), Settings, Http.Now, Http.Now)!;
        var whole = CacheEntries.CombinePart(first, Entry(50, 99, ("ETag", "\"a\""), ("Cache-Control", "max-age=60")), Content.AsMemory(50, 50), Settings, Http.Now, Http.Now)!;

        Assert.Equal(200, whole.StatusCode);
        Assert.False(whole.IsPartial);
        Assert.Equal(Content, whole.Body.ToArray());
        Assert.Equal("100", whole.Headers["Content-Length"]);

        // Once the whole representation is stored, a part of it adds nothing; a part of another one replaces it.
        Assert.Null(CacheEntries.CombinePart(whole, Entry(0, 9, ("ETag", "\"a\"")), Content.AsMemory(0, 10), Settings, Http.Now, Http.Now));
        Assert.True(CacheEntries.CombinePart(whole, Entry(0, 9, ("ETag", "\"b\"")), Content.AsMemory(0, 10), Settings, Http.Now, Http.Now)!.IsPartial);
    }

    private static readonly HttpCacheRouteSettings Settings = HttpCacheRouteSettings.Default;

    private static SparseBody Part(int first, int last) => SparseBody.Of(new ContentPart(first, last, 100), Content.AsMemory(first, last - first + 1));

    /// <summary>A received part as <see cref="OriginForwarding"/> builds it before its body arrives.</summary>
    private static CachedResponse Entry(long first, long last, params (string Name, string Value)[] fields) => new()
    {
        Key = "https://example.com/f",
        Target = "https://example.com/f",
        VaryKey = "",
        StatusCode = 206,
        Headers = CachedResponse.FreezeHeaders(Http.Headers(fields)),
        Body = ReadOnlyMemory<byte>.Empty,
        Parts = [new ContentPart(first, last, 100)],
        Freshness = Http.Stored(60),
    };
}
