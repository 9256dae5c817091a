using Gatehouse.StaticFiles;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.StaticFiles;

/// <summary>RFC 9110 §14 and §13.1.5 for files: one range, several (merged), unsatisfiable, ignored.</summary>
public sealed class FileRangesTests
{
    private static readonly DateTime Written = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly FileValidators File = FileValidators.Of(Written, 100);
    private static readonly DateTimeOffset Later = new(2026, 12, 1, 11, 0, 0, TimeSpan.Zero);

    private static FileRangeDecision Decide(string range, string method = "GET", string? ifRange = null, DateTimeOffset? now = null)
    {
        var headers = new HeaderDictionary { ["Range"] = range };
        if (ifRange is not null)
        {
            headers["If-Range"] = ifRange;
        }
        return FileRanges.Decide(method, headers, 100, File, now ?? Later);
    }

    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=90-", 90, 10)]
    [InlineData("bytes=90-1000", 90, 10)] // last clipped to the end (§14.1.2)
    [InlineData("bytes=-10", 90, 10)]
    [InlineData("bytes=-1000", 0, 100)] // a suffix longer than the file: all of it
    [InlineData("BYTES = 5-5", 5, 1)]
    [InlineData("bytes=0-9, 5-19", 0, 20)] // overlapping: merged
    [InlineData("bytes=0-9,10-19", 0, 20)] // touching: merged
    [InlineData("bytes=0-9, 200-300", 0, 10)] // the unsatisfiable spec is dropped
    public void OneRange(string range, long offset, long length)
    {
        var decision = Decide(range);
        Assert.Equal(FileRangeOutcome.Partial, decision.Outcome);
        Assert.Equal([new FileRange(offset, length)], decision.Ranges);
    }

    [Fact]
    public void SeveralRanges_SortedAndMerged_Section14_6()
    {
        var decision = Decide("bytes=50-59, 0-4, 2-6, -5");
        Assert.Equal(FileRangeOutcome.Partial, decision.Outcome);
        Assert.Equal([new FileRange(0, 7), new FileRange(50, 10), new FileRange(95, 5)], decision.Ranges);
        Assert.Equal("bytes 50-59/100", decision.Ranges[1].ContentRange(100));
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=100-200")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=200-300, 150-")]
    public void Unsatisfiable_Is416_Section15_5_17(string range) => Assert.Equal(FileRangeOutcome.NotSatisfiable, Decide(range).Outcome);

    [Theory]
    [InlineData("bytes=5-1")] // invalid spec: the whole field is ignored
    [InlineData("items=0-1")]
    [InlineData("bytes=")]
    [InlineData("bytes=a-b")]
    [InlineData("0-9")]
    public void Invalid_IsIgnored_Section14_2(string range) => Assert.Equal(FileRangeOutcome.Full, Decide(range).Outcome);

    [Theory]
    [InlineData("HEAD")]
    [InlineData("POST")]
    public void OnlyGet_Section14_2(string method) => Assert.Equal(FileRangeOutcome.Full, Decide("bytes=0-1", method).Outcome);

    [Fact]
    public void TooManyRanges_GiveTheWholeFile_Section17_15()
    {
        var many = "bytes=" + string.Join(",", Enumerable.Range(0, FileRanges.MaxRanges + 1).Select(i => $"{i * 3}-{i * 3}"));
        Assert.Equal(FileRangeOutcome.Full, Decide(many).Outcome);
        var allowed = "bytes=" + string.Join(",", Enumerable.Range(0, FileRanges.MaxRanges).Select(i => $"{i * 3}-{i * 3}"));
        Assert.Equal(FileRanges.MaxRanges, Decide(allowed).Ranges.Count);
    }

    [Fact]
    public void IfRange_EntityTag_StrongComparison_Section13_1_5()
    {
        Assert.Equal(FileRangeOutcome.Partial, Decide("bytes=0-1", ifRange: File.ETag).Outcome);
        Assert.Equal(FileRangeOutcome.Full, Decide("bytes=0-1", ifRange: "W/" + File.ETag).Outcome);
        Assert.Equal(FileRangeOutcome.Full, Decide("bytes=0-1", ifRange: "\"other\"").Outcome);
    }

    [Fact]
    public void IfRange_Date_OnlyAnExactStrongLastModified_Section13_1_5()
    {
        const string same = "Tue, 01 Dec 2026 10:00:00 GMT";
        Assert.Equal(FileRangeOutcome.Partial, Decide("bytes=0-1", ifRange: same).Outcome);
        Assert.Equal(FileRangeOutcome.Full, Decide("bytes=0-1", ifRange: "Tue, 01 Dec 2026 10:00:01 GMT").Outcome);
        Assert.Equal(FileRangeOutcome.Full, Decide("bytes=0-1", ifRange: "not a date").Outcome);
        // Within the second of the modification the file might change again unseen: the date is weak (§8.8.2.2).
        Assert.Equal(FileRangeOutcome.Full, Decide("bytes=0-1", ifRange: same, now: new DateTimeOffset(Written).AddMilliseconds(500)).Outcome);
    }
}
