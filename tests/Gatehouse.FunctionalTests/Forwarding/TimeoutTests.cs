using System.Diagnostics;
using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Forwarding;

public sealed class TimeoutTests
{
    [Fact]
    public async Task HungBackend_Answers504WithinRouteTimeout_WhileOtherRoutesStayFast()
    {
        await using var hung = await TestBackend.StartAsync("hung", async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var fast = await TestBackend.StartAsync("fast");
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": {
                "slow": { "clusterId": "hung", "match": { "pathPrefix": "/slow" }, "timeout": "1s" },
                "fast": { "clusterId": "fast", "match": { "pathPrefix": "/fast" } }
              },
              "clusters": {
                "hung": { "destinations": { "h": { "address": "{{hung.Address}}" } } },
                "fast": { "destinations": { "f": { "address": "{{fast.Address}}" } } }
              }
            }
            """);
        Assert.Equal("fast", await proxy.Client.GetStringAsync("/fast"));

        var watch = Stopwatch.StartNew();
        var slow = proxy.Client.GetAsync("/slow");
        var fastLatencies = new List<long>();
        while (!slow.IsCompleted && fastLatencies.Count < 200)
        {
            var t = Stopwatch.StartNew();
            Assert.Equal("fast", await proxy.Client.GetStringAsync("/fast"));
            fastLatencies.Add(t.ElapsedMilliseconds);
        }

        using var response = await slow;
        watch.Stop();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 900, 2000);
        Assert.StartsWith("504 ", await response.Content.ReadAsStringAsync());
        Assert.NotEmpty(fastLatencies);
        Assert.True(fastLatencies.Max() < 250, $"slowest fast request {fastLatencies.Max()} ms");
    }

    [Fact]
    public async Task SilentBackend_ActivityTimeout_Answers504()
    {
        await using var hung = await TestBackend.StartAsync("hung", async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(hung),
            "\"httpRequest\": { \"activityTimeout\": \"500ms\" }, \"retry\": { \"enabled\": false }"));

        var watch = Stopwatch.StartNew();
        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 400, 2000);
    }

    [Fact]
    public async Task RouteTimeout_CoversEveryAttempt_NotOnlyTheFirst()
    {
        await using var slow = await TestBackend.StartAsync("slow", async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4), context.RequestAborted);
            await context.Response.WriteAsync("slow");
        });
        var json = Configs.SingleCluster($$"""
                  "a-refuses": { "address": "http://127.0.0.1:{{TestBackend.UnusedPort()}}" },
                  "b-slow": { "address": "{{slow.Address}}" }
            """, "\"loadBalancingPolicy\": \"FirstAlphabetical\", \"healthCheck\": { \"passive\": { \"enabled\": false } }", routeExtra: ", \"timeout\": \"1s\"");
        await using var proxy = await TestProxy.StartAsync(json);

        var watch = Stopwatch.StartNew();
        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 900, 2500);
        Assert.Equal(1, slow.Requests);
    }
}
