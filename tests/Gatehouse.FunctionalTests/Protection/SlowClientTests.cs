using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// Slow-headers and slow-body (slowloris, R.U.D.Y.) attacks: a few hundred connections that trickle bytes are cut off by
/// the header timeout and the minimum body data rate, while a normal client keeps being served quickly. The timeouts
/// come from config, shortened here so the test runs in seconds; the defaults (15 s for headers) are the same mechanism.
/// </summary>
public sealed class SlowClientTests
{
    private const int SlowHeaderConnections = 150;
    private const int SlowBodyConnections = 150;
    private static readonly TimeSpan AttackLimit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task SlowHeadersAndSlowBodies_AreCutOff_WhileNormalRequestsStayFast()
    {
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            var buffer = new byte[4096];
            while (await context.Request.Body.ReadAsync(buffer) > 0)
            {
            }

            await context.Response.WriteAsync("ok");
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backend), rootExtra: """
            , "limits": {
                "requestHeadersTimeout": "2s",
                "minRequestBodyDataRate": { "bytesPerSecond": 240, "gracePeriod": "2s" },
                "maxConnectionsPerClient": 1000
              }
            """));
        using var stop = new CancellationTokenSource(AttackLimit);
        var started = Stopwatch.StartNew();
        var cutOffAfter = new ConcurrentBag<TimeSpan>();
        var attacks = new List<Task>();
        for (var i = 0; i < SlowHeaderConnections; i++)
        {
            attacks.Add(Trickle(proxy.Address, "GET / HTTP/1.1\r\nHost: shop.example\r\n", "X-Slow: 1\r\n", started, cutOffAfter, stop.Token));
        }

        for (var i = 0; i < SlowBodyConnections; i++)
        {
            attacks.Add(Trickle(proxy.Address, "POST / HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 100000\r\n\r\n", "x", started, cutOffAfter, stop.Token));
        }

        // A normal client, on a fresh connection each time, all through the attack.
        var slowest = TimeSpan.Zero;
        var normal = 0;
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(10) };
        var attacking = Task.WhenAll(attacks);
        while (!attacking.IsCompleted && !stop.IsCancellationRequested)
        {
            var timer = Stopwatch.StartNew();
            using var response = await client.GetAsync("/normal");
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            slowest = timer.Elapsed > slowest ? timer.Elapsed : slowest;
            normal++;
            await Task.WhenAny(attacking, Task.Delay(100));
        }

        await attacking;
        Assert.Equal(SlowHeaderConnections + SlowBodyConnections, cutOffAfter.Count);
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a normal request took {slowest.TotalMilliseconds:F0} ms");
        Assert.True(normal >= 10, $"only {normal} normal requests were made during the attack");
        // Headers: 2 s; bodies: 2 s grace; both checked on Kestrel's 1 s heartbeat.
        Assert.True(cutOffAfter.Max() < TimeSpan.FromSeconds(10), $"an attack connection lasted {cutOffAfter.Max().TotalSeconds:F1} s");
    }

    /// <summary>Sends <paramref name="start"/>, then one <paramref name="drip"/> every 500 ms, until the server answers or closes.</summary>
    private static async Task Trickle(Uri address, string start, string drip, Stopwatch clock, ConcurrentBag<TimeSpan> cutOffAfter, CancellationToken stop)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, stop);
        var stream = client.GetStream();
        var closed = stream.ReadAsync(new byte[1024], stop).AsTask();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(start), stop);
            var bytes = Encoding.ASCII.GetBytes(drip);
            while (!closed.IsCompleted)
            {
                await Task.WhenAny(closed, Task.Delay(500, stop));
                if (!closed.IsCompleted)
                {
                    await stream.WriteAsync(bytes, stop);
                }
            }
        }
        catch (IOException)
        {
            // Writing to a connection the server closed.
        }

        try
        {
            await closed;
        }
        catch (IOException)
        {
            // Reset by the server.
        }

        cutOffAfter.Add(clock.Elapsed);
    }
}
