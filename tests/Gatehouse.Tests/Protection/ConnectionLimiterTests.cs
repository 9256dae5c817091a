using System.Net;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class ConnectionLimiterTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Other = IPAddress.Parse("192.0.2.11");

    [Fact]
    public void TryAcquire_RefusesOneMoreThanTheLimit_PerClient()
    {
        var limiter = new ConnectionLimiter(2);

        Assert.True(limiter.TryAcquire(Client));
        Assert.True(limiter.TryAcquire(Client));
        Assert.False(limiter.TryAcquire(Client));
        Assert.True(limiter.TryAcquire(Other));
        Assert.Equal(2, limiter.OpenFrom(Client));
    }

    [Fact]
    public void Release_FreesASlot_AndForgetsClientsWithNoConnection()
    {
        var limiter = new ConnectionLimiter(1);
        Assert.True(limiter.TryAcquire(Client));

        limiter.Release(Client);

        Assert.Equal(0, limiter.OpenFrom(Client));
        Assert.True(limiter.TryAcquire(Client));
    }

    [Fact]
    public void TryAcquire_AnIpv4MappedAddress_IsTheSameClientAsItsIpv4Form()
    {
        var limiter = new ConnectionLimiter(1);
        Assert.True(limiter.TryAcquire(Client));

        Assert.False(limiter.TryAcquire(Client.MapToIPv6()));
    }

    [Fact]
    public async Task TryAcquireAndRelease_FromManyThreads_NeverExceedTheLimitAndEndAtZero()
    {
        var limiter = new ConnectionLimiter(8);
        var peak = 0;
        var inside = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                if (limiter.TryAcquire(Client))
                {
                    var now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref peak, now);
                    Interlocked.Decrement(ref inside);
                    limiter.Release(Client);
                }
            }
        })));

        Assert.InRange(peak, 1, 8);
        Assert.Equal(0, limiter.OpenFrom(Client));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
