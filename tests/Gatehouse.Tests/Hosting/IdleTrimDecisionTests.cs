using Gatehouse.Hosting;

namespace Gatehouse.Tests.Hosting;

public class IdleTrimDecisionTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private const long Small = 40L * 1024 * 1024;
    private const long Large = 1024L * 1024 * 1024;

    [Fact]
    public void ABurstClosed_QuietAndNotRecent_Full() => Assert.Equal(IdleTrim.Full, IdleTrimDecision.Decide(0, 0, 10_000, 1024, Long, Small));

    [Fact]
    public void HalfClosed_Full() => Assert.Equal(IdleTrim.Full, IdleTrimDecision.Decide(2_000, 0, 4_000, 0, Long, Small));

    [Fact]
    public void ABurstOpened_Native() => Assert.Equal(IdleTrim.Native, IdleTrimDecision.Decide(10_000, 0, 10_000, 0, Long, Small));

    [Fact]
    public void MoreThanHalfStillOpen_OnlyWhatOpenedSinceCounts() =>
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(6_000, 6_000, 10_000, 0, Long, Small));

    [Fact]
    public void FewerThanAThousandEitherWay_None()
    {
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(0, 0, 999, 0, Long, Small));
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(1_999, 1_000, 1_999, 0, Long, Small));
    }

    [Fact]
    public void Busy_None() => Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(0, 0, 10_000, IdleTrimDecision.QuietAllocatedBytes + 1, Long, Small));

    [Fact]
    public void RecentTrim_None() =>
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(0, 0, 10_000, 0, IdleTrimDecision.SmallHeapInterval - TimeSpan.FromSeconds(1), Small));

    [Fact]
    public void SmallHeap_TrimsAgainAfterTwentySeconds() =>
        Assert.Equal(IdleTrim.Full, IdleTrimDecision.Decide(0, 0, 1_000, 0, TimeSpan.FromSeconds(20), Small));

    [Fact]
    public void LargeHeap_WaitsAMinute()
    {
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(0, 0, 1_000, 0, TimeSpan.FromSeconds(59), Large));
        Assert.Equal(IdleTrim.Full, IdleTrimDecision.Decide(0, 0, 1_000, 0, TimeSpan.FromMinutes(1), Large));
    }

    [Fact]
    public void HeapAtTheLine_StillSmall() =>
        Assert.Equal(IdleTrimDecision.SmallHeapInterval, IdleTrimDecision.IntervalFor(IdleTrimDecision.SmallHeapBytes));
}
