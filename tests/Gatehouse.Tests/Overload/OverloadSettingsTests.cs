using Gatehouse.Configuration;
using Gatehouse.Overload;

namespace Gatehouse.Tests.Overload;

public sealed class OverloadSettingsTests
{
    [Fact]
    public void From_WithoutMaxConcurrentRequests_IsNone()
    {
        Assert.Same(OverloadSettings.None, OverloadSettings.From(new ClusterDefinition()));
    }

    [Fact]
    public void From_TakesTheLimitAndTheQueue()
    {
        var settings = OverloadSettings.From(new ClusterDefinition
        {
            MaxConcurrentRequests = 2,
            Queue = new DestinationQueueDefinition { Size = 7, Timeout = Duration.Parse("1500ms") },
        });

        Assert.Equal(new OverloadSettings(2, 7, TimeSpan.FromMilliseconds(1500)), settings);
    }

    [Theory]
    [InlineData(100, 1)]
    [InlineData(1000, 1)]
    [InlineData(1500, 2)]
    [InlineData(10_000, 10)]
    public void RetryAfter_IsTheQueueTimeoutRoundedUp_AtLeastOneSecond(int timeoutMs, int expected)
    {
        Assert.Equal(expected, new OverloadSettings(1, 1, TimeSpan.FromMilliseconds(timeoutMs)).RetryAfterSeconds);
    }
}
