namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>
/// RFC 9111 §3.3 (storing partial responses) and §3.4 (combining them), as the pure decisions of
/// <see cref="PartialContent"/>. Not wired into the middleware yet (docs/caching-rfc9111.md).
/// </summary>
public class Rfc9111_3_4_PartialContentTests
{
    private static readonly Microsoft.AspNetCore.Http.HeaderDictionary V1 = Http.Headers(("ETag", "\"v1\""), ("Content-Range", "bytes 0-9/100"));

    [Theory]
    [InlineData("bytes 0-9/100", 0, 9, 100)]
    [InlineData("bytes 90-99/100", 90, 99, 100)]
    [InlineData("BYTES 5-5/6", 5, 5, 6)]
    [InlineData("  bytes 0-0/1 ", 0, 0, 1)]
    public void ContentRange_IsParsed_Section14_4(string value, long first, long last, long complete)
    {
        Assert.True(PartialContent.TryParseContentRange(value, out var part));
        Assert.Equal(new ContentPart(first, last, complete), part);
    }

    [Theory]
    [InlineData("bytes */100")] // an unsatisfied range, not a part
    [InlineData("bytes 0-9/*")] // complete length unknown: nothing to complete
    [InlineData("bytes 9-0/100")]
    [InlineData("bytes 0-100/100")] // past the end
    [InlineData("items 0-9/100")]
    [InlineData("bytes 0-9")]
    [InlineData("bytes -9/100")]
    [InlineData("bytes a-b/c")]
    [InlineData("")]
    public void ContentRange_Invalid_Section14_4(string value) => Assert.False(PartialContent.TryParseContentRange(value, out _));

    [Fact]
    public void A206WithOneRangeAndAStrongETag_MayBeStored_Section3_3()
    {
        Assert.True(PartialContent.TryReadPart(206, V1, 10, out var part));
        Assert.Equal(new ContentPart(0, 9, 100), part);
        Assert.False(PartialContent.TryReadPart(206, V1, 9, out _)); // the body is not what Content-Range says: incomplete
        Assert.False(PartialContent.TryReadPart(200, V1, 10, out _));
        Assert.False(PartialContent.TryReadPart(206, Http.Headers(("ETag", "W/\"v1\""), ("Content-Range", "bytes 0-9/100")), 10, out _));
        Assert.False(PartialContent.TryReadPart(206, Http.Headers(("Last-Modified", Http.Date(Http.Now)), ("Content-Range", "bytes 0-9/100")), 10, out _));
        Assert.False(PartialContent.TryReadPart(206, Http.Headers(("ETag", "\"v1\""), ("Content-Type", "multipart/byteranges; boundary=x")), 10, out _));
    }

    [Fact]
    public void Combining_NeedsTheSameStrongValidator_Section3_4()
    {
        var stored = new ContentPart(0, 9, 100);
        var next = new ContentPart(10, 19, 100);
        Assert.True(PartialContent.CanCombine(V1, stored, Http.Headers(("ETag", "\"v1\"")), next));
        Assert.False(PartialContent.CanCombine(V1, stored, Http.Headers(("ETag", "\"v2\"")), next)); // another representation
        Assert.False(PartialContent.CanCombine(V1, stored, Http.Headers(("ETag", "W/\"v1\"")), next)); // weak: never combined
        Assert.False(PartialContent.CanCombine(V1, stored, Http.Headers(), next)); // no validator
        Assert.False(PartialContent.CanCombine(V1, stored, Http.Headers(("ETag", "\"v1\"")), next with { CompleteLength = 101 }));
    }

    [Fact]
    public void Combined_PartsAreMergedAndSorted_Section3_4()
    {
        IReadOnlyList<ContentPart> parts = [new(50, 59, 100)];
        parts = PartialContent.Combine(parts, new ContentPart(0, 9, 100));
        parts = PartialContent.Combine(parts, new ContentPart(5, 19, 100)); // overlapping
        parts = PartialContent.Combine(parts, new ContentPart(20, 29, 100)); // adjacent
        Assert.Equal([new ContentPart(0, 29, 100), new ContentPart(50, 59, 100)], parts);
        Assert.False(PartialContent.IsComplete(parts));

        parts = PartialContent.Combine(parts, new ContentPart(30, 49, 100));
        parts = PartialContent.Combine(parts, new ContentPart(60, 99, 100));
        Assert.Equal([new ContentPart(0, 99, 100)], parts);
        Assert.True(PartialContent.IsComplete(parts)); // the whole representation: storable as a 200
    }

    [Fact]
    public void StoredParts_AnswerTheRangesTheyCover_Section3_3()
    {
        IReadOnlyList<ContentPart> parts = [new(0, 29, 100), new(50, 59, 100)];
        Assert.Equal(new ContentPart(2, 5, 100), PartialContent.Covering(parts, new ByteRangeSpec(2, 5)));
        Assert.Equal(new ContentPart(50, 59, 100), PartialContent.Covering(parts, new ByteRangeSpec(50, 59)));
        Assert.Null(PartialContent.Covering(parts, new ByteRangeSpec(25, 55))); // spans a gap: the origin answers
        Assert.Null(PartialContent.Covering(parts, new ByteRangeSpec(60, null)));
        Assert.Null(PartialContent.Covering(parts, new ByteRangeSpec(null, 10))); // the last 10 bytes are not held
        Assert.Null(PartialContent.Covering(parts, new ByteRangeSpec(200, null))); // unsatisfiable: the origin's 416
        Assert.Equal(new ContentPart(90, 99, 100), PartialContent.Covering([new(80, 99, 100)], new ByteRangeSpec(null, 10)));
        Assert.Equal(new ContentPart(80, 99, 100), PartialContent.Covering([new(80, 99, 100)], new ByteRangeSpec(80, 1000)));
        Assert.Equal("bytes 90-99/100", PartialContent.ContentRange(new ContentPart(90, 99, 100)));
    }
}
