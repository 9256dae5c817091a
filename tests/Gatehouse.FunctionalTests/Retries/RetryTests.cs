using System.Net;
using Gatehouse.Forwarding;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Retries;

public sealed class RetryTests
{
    private static RequestDelegate Resetting => context =>
    {
        context.Abort();
        return Task.CompletedTask;
    };

    [Fact]
    public async Task Post_ToAResettingBackend_IsAttemptedExactlyOnce()
    {
        await using var a = await TestBackend.StartAsync("a", Resetting);
        await using var b = await TestBackend.StartAsync("b", Resetting);
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), "\"retry\": { \"maxAttempts\": 3 }"));

        using var response = await proxy.Client.PostAsync("/orders", new StringContent("{\"qty\":1}"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, a.Requests + b.Requests);
    }

    [Fact]
    public async Task Get_ToAResettingBackend_IsRetriedOnTheOtherDestination()
    {
        await using var bad = await TestBackend.StartAsync("bad", Resetting);
        await using var good = await TestBackend.StartAsync("good");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(bad, good),
            "\"loadBalancingPolicy\": \"RoundRobin\", \"healthCheck\": { \"passive\": { \"enabled\": false } }"));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("good", await proxy.Client.GetStringAsync($"/item/{i}"));
        }

        Assert.True(bad.Requests >= 4, $"bad saw {bad.Requests}");
        Assert.Equal(10, good.Requests);
    }

    [Fact]
    public async Task RetryableStatus_IsRetriedElsewhere_AndTheClientNeverSeesIt()
    {
        await using var failing = await TestBackend.StartAsync("failing", context =>
        {
            context.Response.StatusCode = 503;
            return context.Response.WriteAsync("backend error page with stack trace");
        });
        await using var good = await TestBackend.StartAsync("good");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(failing, good),
            "\"loadBalancingPolicy\": \"RoundRobin\", \"healthCheck\": { \"passive\": { \"enabled\": false } }"));

        for (var i = 0; i < 6; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("good", await response.Content.ReadAsStringAsync());
        }

        Assert.True(failing.Requests >= 3);
    }

    [Fact]
    public async Task Post_RouteOptIn_BufferedBodyIsReplayedIntact()
    {
        await using var bad = await TestBackend.StartAsync("bad", Resetting);
        await using var echo = await TestBackend.StartAsync("echo", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync("echo:" + await reader.ReadToEndAsync());
        });
        var json = Configs.SingleCluster(Configs.Destinations(bad, echo),
            "\"loadBalancingPolicy\": \"FirstAlphabetical\", \"healthCheck\": { \"passive\": { \"enabled\": false } }",
            routeExtra: ", \"retry\": { \"allowUnsafeMethods\": true }");
        await using var proxy = await TestProxy.StartAsync(json);

        using var response = await proxy.Client.PostAsync("/orders", new StringContent("payload-123"));

        Assert.Equal("echo:payload-123", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, bad.Requests);
    }

    [Fact]
    public async Task RetryBudget_StopsRetriesFromMultiplyingAnOutage()
    {
        await using var a = await TestBackend.StartAsync("a", Resetting);
        await using var b = await TestBackend.StartAsync("b", Resetting);
        await using var c = await TestBackend.StartAsync("c", Resetting);
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b, c), """
            "retry": { "maxAttempts": 3, "budget": { "percent": 20, "minRetriesPerSecond": 0, "window": "1m" } },
            "healthCheck": { "passive": { "enabled": false } }
            """));

        for (var i = 0; i < 100; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        var attempts = a.Requests + b.Requests + c.Requests;
        Assert.InRange(attempts, 100, 100 + 21);
    }
}
