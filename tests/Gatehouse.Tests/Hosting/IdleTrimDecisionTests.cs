using Gatehouse.Hosting;

namespace Gatehouse.Tests.Hosting;

public class IdleTrimDecisionTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public void ABurstClosed_QuietAndNotRecent_Full() => Assert.Equal(IdleTrim.Full, IdleTrimDecision.Decide(0, 0, 10_000, 1024, Long));

    [Fact]
    public void HalfClosed_Full() => Assert.Equal(IdleTrim.Full, IdleTrimDecision.Decide(2_000, 0, 4_000, 0, Long));

    [Fact]
    public void ABurstOpened_Native() => Assert.Equal(IdleTrim.Native, IdleTrimDecision.Decide(10_000, 0, 10_000, 0, Long));

    [Fact]
    public void MoreThanHalfStillOpen_OnlyWhatOpenedSinceCounts() =>
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(6_000, 6_000, 10_000, 0, Long));

    [Fact]
    public void FewerThanAThousandEitherWay_None()
    {
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(0, 0, 999, 0, Long));
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(1_999, 1_000, 1_999, 0, Long));
    }

    [Fact]
    public void Busy_None() => Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(0, 0, 10_000, IdleTrimDecision.QuietAllocatedBytes + 1, Long));

    [Fact]
    public void RecentTrim_None() =>
        Assert.Equal(IdleTrim.None, IdleTrimDecision.Decide(0, 0, 10_000, 0, IdleTrimDecision.MinimumInterval - TimeSpan.FromSeconds(1)));
}
