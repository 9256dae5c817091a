using Gatehouse.Upstream;
using Microsoft.Extensions.Time.Testing;
using static Gatehouse.FunctionalTests.Upstream.UpstreamExchange;

namespace Gatehouse.FunctionalTests.Upstream;

/// <summary>The idle timeout, driven by a fake clock: no test waits for real time to pass.</summary>
public class UpstreamPoolIdleTests
{
    private const string Good = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood";
    private static readonly UpstreamOptions Options = new() { IdleTimeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task AConnectionIdleForLessThanTheTimeout_IsReused()
    {
        var time = new FakeTimeProvider();
        await using var backend = new RawSocketBackend(_ => new RawReply(Good));
        await using var pool = new UpstreamPool(backend.EndPoint, Options, time);
        await RunAsync(pool, Get());

        time.Advance(TimeSpan.FromSeconds(29));
        await RunAsync(pool, Get());

        Assert.Equal(1, backend.Accepted);
    }

    [Fact]
    public async Task AConnectionIdleForTheTimeout_IsClosedBySweep_AndNotReused()
    {
        var time = new FakeTimeProvider();
        await using var backend = new RawSocketBackend(_ => new RawReply(Good));
        await using var pool = new UpstreamPool(backend.EndPoint, Options, time);
        await RunAsync(pool, Get());
        Assert.Equal(1, pool.IdleCount);

        time.Advance(TimeSpan.FromSeconds(30)); // the sweep runs every 15 s of fake time, synchronously in Advance

        Assert.Equal(0, pool.IdleCount);
        await RunAsync(pool, Get());
        Assert.Equal(2, backend.Accepted);
    }

    [Fact]
    public async Task AConnectionPastTheTimeout_IsNotTaken_EvenBeforeTheSweep()
    {
        var time = new FakeTimeProvider();
        await using var backend = new RawSocketBackend(_ => new RawReply(Good));
        await using var pool = new UpstreamPool(backend.EndPoint, Options with { IdleTimeout = TimeSpan.FromSeconds(10) }, time);
        time.Advance(TimeSpan.FromSeconds(4)); // the sweep is now due at 5 s, 10 s, 15 s...
        await RunAsync(pool, Get());

        // FakeTimeProvider fires due timers at the time it is advanced to, so step through each sweep.
        time.Advance(TimeSpan.FromSeconds(1)); // 5 s: swept at idle 1 s, kept
        time.Advance(TimeSpan.FromSeconds(5)); // 10 s: swept at idle 6 s, kept
        time.Advance(TimeSpan.FromSeconds(4)); // 14 s: idle 10 s, the next sweep is at 15 s

        Assert.Equal(1, pool.IdleCount);
        await RunAsync(pool, Get());
        Assert.Equal(2, backend.Accepted);
    }
}
