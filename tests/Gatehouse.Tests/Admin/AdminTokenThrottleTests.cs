using System.Net;
using Gatehouse.Admin;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Tests.Admin;

public class AdminTokenThrottleTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress Other = IPAddress.Parse("192.0.2.8");

    [Fact]
    public void FiveFailures_LockTheAddressForTheRestOfTheWindow_OthersAreNotAffected()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var throttle = new AdminTokenThrottle(time);

        for (var i = 0; i < AdminTokenThrottle.MaxFailures - 1; i++)
        {
            throttle.Failed(Guesser);
            Assert.Null(throttle.RetryAfter(Guesser));
        }

        time.Advance(TimeSpan.FromSeconds(10));
        throttle.Failed(Guesser);

        Assert.Equal(AdminTokenThrottle.Window - TimeSpan.FromSeconds(10), throttle.RetryAfter(Guesser));
        Assert.Null(throttle.RetryAfter(Other));
        time.Advance(AdminTokenThrottle.Window - TimeSpan.FromSeconds(10));
        Assert.Null(throttle.RetryAfter(Guesser));
    }

    [Fact]
    public void FailuresSpreadOverMoreThanAWindow_NeverLock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var throttle = new AdminTokenThrottle(time);

        for (var i = 0; i < 20; i++)
        {
            throttle.Failed(Guesser);
            Assert.Null(throttle.RetryAfter(Guesser));
            time.Advance(AdminTokenThrottle.Window / 4);
        }
    }

    [Fact]
    public void NoAddress_IsNeverCountedNorLocked()
    {
        var throttle = new AdminTokenThrottle(new FakeTimeProvider());
        for (var i = 0; i < 10; i++)
        {
            throttle.Failed(null);
        }

        Assert.Null(throttle.RetryAfter(null));
    }
}
