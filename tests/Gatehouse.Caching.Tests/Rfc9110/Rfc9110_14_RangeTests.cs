using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9110;

/// <summary>RFC 9110 §14 Range Requests and §13.1.5 If-Range, answered from a stored full response.</summary>
public class Rfc9110_14_RangeTests
{
    private const long Length = 1000;
    private static readonly string LastModified = Http.Date(Http.At(-3600));

    private static HeaderDictionary Stored() => Http.Headers(("ETag", "\"v1\""), ("Last-Modified", LastModified), ("Date", Http.Date(Http.Now)));

    private static RangeDecision Decide(string? range, string method = "GET", int status = 200, long length = Length, params (string, string)[] more)
    {
        var request = Http.Headers(more);
        if (range is not null)
        {
            request.Append("Range", range);
        }
        return ByteRanges.Decide(method, request, status, Stored(), length);
    }

    [Theory]
    [InlineData("bytes=0-499", 0, 500, "bytes 0-499/1000")]
    [InlineData("bytes=500-999", 500, 500, "bytes 500-999/1000")]
    [InlineData("bytes=500-", 500, 500, "bytes 500-999/1000")]
    [InlineData("bytes=-100", 900, 100, "bytes 900-999/1000")]
    [InlineData("bytes=-5000", 0, 1000, "bytes 0-999/1000")]
    [InlineData("bytes=990-5000", 990, 10, "bytes 990-999/1000")]
    [InlineData("bytes=0-0", 0, 1, "bytes 0-0/1000")]
    [InlineData("BYTES=0-9", 0, 10, "bytes 0-9/1000")]
    [InlineData("bytes= 0-9 ", 0, 10, "bytes 0-9/1000")]
    public void SingleSatisfiableRange_IsPartialContent_Section14_2(string range, long offset, long length, string contentRange)
    {
        Assert.Equal(new RangeDecision(RangeOutcome.Partial, offset, length, contentRange), Decide(range));
    }

    // §14.1.2, §15.5.17: unsatisfiable: 416 with Content-Range: bytes */length.
    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=-0")]
    public void UnsatisfiableRange_Is416WithTheLength_Section15_5_17(string range)
    {
        Assert.Equal(new RangeDecision(RangeOutcome.NotSatisfiable, 0, 0, "bytes */1000"), Decide(range));
    }

    // §14.2 MUST ignore Range for methods other than GET.
    [Theory]
    [InlineData("HEAD")]
    [InlineData("POST")]
    public void NotGet_IgnoresRange_Section14_2(string method)
    {
        Assert.Equal(RangeDecision.Full(Length), Decide("bytes=0-9", method));
    }

    // §14.2 MAY ignore: invalid specifiers, other units; and by choice, multiple ranges (no multipart).
    [Theory]
    [InlineData(null)]
    [InlineData("bytes=9-0")]
    [InlineData("bytes=")]
    [InlineData("bytes=-")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0-9x")]
    [InlineData("bytes=99999999999999999999-")]
    [InlineData("items=0-9")]
    [InlineData("0-9")]
    [InlineData("bytes=0-9, 20-29")]
    [InlineData("bytes=0-9, 2000-3000")]
    public void IgnoredRange_GivesTheFullResponse_Section14_2(string? range)
    {
        Assert.Equal(RangeDecision.Full(Length), Decide(range));
    }

    [Fact]
    public void NotA200_IgnoresRange()
    {
        Assert.Equal(RangeDecision.Full(Length), Decide("bytes=0-9", status: 404));
    }

    [Fact]
    public void EmptyContent_IgnoresRange()
    {
        Assert.Equal(RangeDecision.Full(0), Decide("bytes=-5", length: 0));
    }

    // §13.1.5: If-Range with the stored strong entity tag: the range applies.
    [Fact]
    public void IfRange_MatchingStrongETag_AppliesTheRange_Section13_1_5()
    {
        Assert.Equal(RangeOutcome.Partial, Decide("bytes=0-9", more: ("If-Range", "\"v1\"")).Outcome);
    }

    // §13.1.5 MUST: a failing If-Range means the Range is ignored and the full response sent.
    [Theory]
    [InlineData("\"v2\"")]
    [InlineData("W/\"v1\"")]
    [InlineData("garbage")]
    public void IfRange_NotMatching_SendsFull_Section13_1_5(string ifRange)
    {
        Assert.Equal(RangeDecision.Full(Length), Decide("bytes=0-9", more: ("If-Range", ifRange)));
    }

    // §13.1.5 + §8.8.2.2: a date matches when equal to a strong Last-Modified (60 s or more before Date, for a cache).
    [Fact]
    public void IfRange_Date_Section13_1_5()
    {
        Assert.Equal(RangeOutcome.Partial, Decide("bytes=0-9", more: ("If-Range", LastModified)).Outcome);
        Assert.Equal(RangeOutcome.Full, Decide("bytes=0-9", more: ("If-Range", Http.Date(Http.At(-3599)))).Outcome);

        var weak = Http.Headers(("Last-Modified", Http.Date(Http.At(-30))), ("Date", Http.Date(Http.Now)));
        var request = Http.Headers(("Range", "bytes=0-9"), ("If-Range", Http.Date(Http.At(-30))));
        Assert.Equal(RangeOutcome.Full, ByteRanges.Decide("GET", request, 200, weak, Length).Outcome);
    }

    [Fact]
    public void TryParse_ReadsEveryForm_Section14_1_2()
    {
        Assert.True(ByteRanges.TryParse("bytes=0-1, 5-, -3", out var ranges));
        Assert.Equal([new ByteRangeSpec(0, 1), new ByteRangeSpec(5, null), new ByteRangeSpec(null, 3)], ranges);
        Assert.True(ranges[2].IsSuffix);
    }
}
