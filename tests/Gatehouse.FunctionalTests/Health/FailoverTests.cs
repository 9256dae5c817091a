using System.Diagnostics;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Health;

public sealed class FailoverTests
{
    [Fact]
    public async Task BackendStoppedUnderLoad_NoRequestFails_AndItReturnsWithin5sOfRestart()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), """
            "loadBalancingPolicy": "RoundRobin",
            "healthCheck": {
              "active": { "enabled": true, "interval": "500ms", "timeout": "1s", "path": "/", "unhealthyThreshold": 1, "healthyThreshold": 1 },
              "passive": { "consecutiveFailures": 1, "reactivationPeriod": "2s" }
            }
            """));

        await using var load = Load.Start(proxy.Client, "/", workers: 4);
        await b.WhenRequestsReach(200);

        await b.StopAsync();
        var servedByAAfterStop = a.Requests;
        await a.WhenRequestsReach(servedByAAfterStop + 500);

        await b.StartAsync();
        var restarted = Stopwatch.StartNew();
        var servedByBBefore = b.Requests;
        await b.WhenRequestsReach(servedByBBefore + 1).WaitAsync(TimeSpan.FromSeconds(5));
        var backIn = restarted.Elapsed;
        await b.WhenRequestsReach(servedByBBefore + 100).WaitAsync(TimeSpan.FromSeconds(10));
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.True(load.Succeeded > 800, $"only {load.Succeeded} requests succeeded");
        Assert.True(backIn < TimeSpan.FromSeconds(5), $"back in rotation after {backIn}");
    }

    [Fact]
    public async Task AllBackendsDown_Answers502Quickly_WithGatehousesOwnBody()
    {
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster($$"""
                  "d1": { "address": "http://127.0.0.1:{{TestBackend.UnusedPort()}}" },
                  "d2": { "address": "http://127.0.0.1:{{TestBackend.UnusedPort()}}" }
            """));

        using (var warmup = await proxy.Client.GetAsync("/"))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadGateway, warmup.StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await proxy.Client.GetAsync($"/try/{i}");
            var body = await response.Content.ReadAsStringAsync();
            watch.Stop();

            Assert.True((int)response.StatusCode is 502 or 503, $"status {(int)response.StatusCode}");
            Assert.True(watch.ElapsedMilliseconds < 100, $"took {watch.ElapsedMilliseconds} ms");
            Assert.StartsWith($"{(int)response.StatusCode} ", body);
            Assert.DoesNotContain("127.0.0.1", body);
            Assert.DoesNotContain("Exception", body);
        }
    }

    [Fact]
    public async Task AllUnhealthy_FailMode_Answers503AtOnce()
    {
        var healthy = true;
        await using var a = await TestBackend.StartAsync("a", context =>
        {
            context.Response.StatusCode = healthy || context.Request.Path != "/health" ? 200 : 500;
            return context.Response.WriteAsync("a");
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), """
            "healthCheck": {
              "whenAllUnhealthy": "fail",
              "active": { "enabled": true, "interval": "200ms", "path": "/health", "unhealthyThreshold": 1 }
            }
            """));
        Assert.Equal("a", await proxy.Client.GetStringAsync("/"));

        healthy = false;
        var probesSoFar = a.Requests;
        await a.WhenRequestsReach(probesSoFar + 3);

        var watch = Stopwatch.StartNew();
        using var response = await proxy.Client.GetAsync("/");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds < 100, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task AllUnhealthy_PanicMode_StillTriesTheDestinations()
    {
        var healthy = true;
        await using var a = await TestBackend.StartAsync("a", context =>
        {
            context.Response.StatusCode = healthy || context.Request.Path != "/health" ? 200 : 500;
            return context.Response.WriteAsync("a");
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), """
            "healthCheck": { "active": { "enabled": true, "interval": "200ms", "path": "/health", "unhealthyThreshold": 1 } }
            """));
        Assert.Equal("a", await proxy.Client.GetStringAsync("/"));

        healthy = false;
        var probesSoFar = a.Requests;
        await a.WhenRequestsReach(probesSoFar + 3);

        Assert.Equal("a", await proxy.Client.GetStringAsync("/"));
    }
}
