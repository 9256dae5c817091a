using Gatehouse.Configuration;
using Gatehouse.Forwarding;

namespace Gatehouse.Tests.Forwarding;

public class RetryBudgetTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new();

    private static int Withdraw(RetryBudget budget, RetryBudgetSettings settings, int attempts) =>
        Enumerable.Range(0, attempts).Count(_ => budget.TryWithdraw(settings));

    private static void Record(RetryBudget budget, RetryBudgetSettings settings, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            budget.RecordRequest(settings);
        }
    }

    [Fact]
    public void TryWithdraw_NoRequests_AllowsTheFloorThenRefuses()
    {
        var settings = new RetryBudgetSettings(Ratio: 0.2, MinRetriesPerSecond: 2, Window);
        var budget = new RetryBudget(_time);

        // 2 retries a second over a 10 s window.
        Assert.Equal(20, Withdraw(budget, settings, 25));
        Assert.False(budget.TryWithdraw(settings));
        Assert.False(budget.CanRetry(settings));
    }

    [Fact]
    public void TryWithdraw_Requests_AllowsRatioOfThem()
    {
        var settings = new RetryBudgetSettings(Ratio: 0.2, MinRetriesPerSecond: 0, Window);
        var budget = new RetryBudget(_time);

        Record(budget, settings, 100);

        Assert.Equal(20, Withdraw(budget, settings, 50));
    }

    [Fact]
    public void TryWithdraw_RequestsAndFloor_AllowsBoth()
    {
        var settings = new RetryBudgetSettings(Ratio: 0.1, MinRetriesPerSecond: 1, Window);
        var budget = new RetryBudget(_time);

        Record(budget, settings, 50);

        Assert.Equal(15, Withdraw(budget, settings, 50));
    }

    [Fact]
    public void TryWithdraw_MoreRequestsLater_AllowsMore()
    {
        var settings = new RetryBudgetSettings(Ratio: 0.5, MinRetriesPerSecond: 0, Window);
        var budget = new RetryBudget(_time);
        Record(budget, settings, 4);
        Assert.Equal(2, Withdraw(budget, settings, 10));

        Record(budget, settings, 2);

        Assert.Equal(1, Withdraw(budget, settings, 10));
    }

    [Fact]
    public void TryWithdraw_ZeroRatioAndFloor_AlwaysRefuses()
    {
        var settings = new RetryBudgetSettings(Ratio: 0, MinRetriesPerSecond: 0, Window);
        var budget = new RetryBudget(_time);
        Record(budget, settings, 1_000);

        Assert.False(budget.TryWithdraw(settings));
    }

    [Fact]
    public void CanRetry_DoesNotWithdraw()
    {
        var settings = new RetryBudgetSettings(Ratio: 0, MinRetriesPerSecond: 1, Window);
        var budget = new RetryBudget(_time);

        for (var i = 0; i < 100; i++)
        {
            Assert.True(budget.CanRetry(settings));
        }

        Assert.Equal(10, Withdraw(budget, settings, 20));
        Assert.False(budget.CanRetry(settings));
    }

    [Fact]
    public void TryWithdraw_Exhausted_RecoversOnceTheWindowHasPassed()
    {
        var settings = new RetryBudgetSettings(Ratio: 0, MinRetriesPerSecond: 1, Window);
        var budget = new RetryBudget(_time);
        Assert.Equal(10, Withdraw(budget, settings, 20));

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(budget.TryWithdraw(settings));

        _time.Advance(TimeSpan.FromSeconds(4.5));
        Assert.False(budget.TryWithdraw(settings));

        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(10, Withdraw(budget, settings, 20));
    }

    [Fact]
    public void TryWithdraw_RetriesAgeOutBucketByBucket()
    {
        var settings = new RetryBudgetSettings(Ratio: 0, MinRetriesPerSecond: 1, Window);
        var budget = new RetryBudget(_time);
        Assert.Equal(4, Withdraw(budget, settings, 4));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(6, Withdraw(budget, settings, 20));

        // The first four leave the window, the later six are still in it.
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(4, Withdraw(budget, settings, 20));
    }

    [Fact]
    public void TryWithdraw_RequestsOlderThanTheWindow_NoLongerCount()
    {
        var settings = new RetryBudgetSettings(Ratio: 0.5, MinRetriesPerSecond: 0, Window);
        var budget = new RetryBudget(_time);
        Record(budget, settings, 100);

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(budget.TryWithdraw(settings));
    }

    [Fact]
    public void TryWithdraw_LongIdle_StartsFresh()
    {
        var settings = new RetryBudgetSettings(Ratio: 0, MinRetriesPerSecond: 1, Window);
        var budget = new RetryBudget(_time);
        Assert.Equal(10, Withdraw(budget, settings, 20));

        _time.Advance(TimeSpan.FromHours(3));

        Assert.Equal(10, Withdraw(budget, settings, 20));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1_000_000_000_000L)]
    [InlineData(365L * 86_400 * 1_000_000_000)]
    public void TryWithdraw_LargeNanosecondTimestamps_StillCounts(long timestamp)
    {
        // Stopwatch timestamps on Linux are nanoseconds since boot; 1e12 is a machine up for 17 minutes.
        _time.Timestamp = timestamp;
        var settings = new RetryBudgetSettings(Ratio: 0, MinRetriesPerSecond: 1, Window);
        var budget = new RetryBudget(_time);

        Assert.Equal(10, Withdraw(budget, settings, 20));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(10, Withdraw(budget, settings, 20));
    }

    [Fact]
    public void TryWithdraw_LowFrequencyClock_Works()
    {
        _time.Frequency = 1_000;
        _time.Timestamp = 5_000_000;
        var settings = new RetryBudgetSettings(Ratio: 0, MinRetriesPerSecond: 1, Window);
        var budget = new RetryBudget(_time);

        Assert.Equal(10, Withdraw(budget, settings, 20));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(10, Withdraw(budget, settings, 20));
    }

    [Theory]
    [InlineData(0.2, 10, 10, 0, 100)]
    [InlineData(0.2, 10, 10, 50, 110)]
    [InlineData(0.5, 0, 10, 7, 3.5)]
    [InlineData(0, 3, 2, 1_000, 6)]
    public void Allowance_IsRatioOfRequestsPlusFloor(double ratio, int perSecond, int windowSeconds, long requests, double expected)
    {
        var settings = new RetryBudgetSettings(ratio, perSecond, TimeSpan.FromSeconds(windowSeconds));

        Assert.Equal(expected, RetryBudget.Allowance(settings, requests), precision: 9);
    }

    [Fact]
    public void Budgets_PerClusterCaseInsensitive()
    {
        var budgets = new RetryBudgets(_time);

        Assert.Same(budgets.For("api"), budgets.For("API"));
        Assert.NotSame(budgets.For("api"), budgets.For("other"));
    }
}
