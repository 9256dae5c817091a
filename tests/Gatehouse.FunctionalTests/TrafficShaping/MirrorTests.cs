using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.TrafficShaping;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.TrafficShaping;

/// <summary>
/// Mirroring through a real Gatehouse: copies reach a real shadow backend with their bodies, and a shadow that hangs or
/// is down changes nothing for the client; the bound is checked on the counters (copies in flight, dropped), not timing.
/// </summary>
public sealed class MirrorTests
{
    private static string Config(TestBackend primary, string shadowAddress, string mirror) => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "enabled": false },
          "routes": { "all": { "clusterId": "live", "match": { "pathPrefix": "/" }, "mirror": { "cluster": "shadow", {{mirror}} } } },
          "clusters": {
            "live": { "destinations": { "p": { "address": "{{primary.Address}}" } } },
            "shadow": { "destinations": { "s": { "address": "{{shadowAddress}}" } } }
          }
        }
        """;

    [Fact]
    public async Task HangingShadow_At100Percent_ClientsAreAnswered_AndCopiesStayBounded()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var primary = await TestBackend.StartAsync("primary");
        await using var shadow = await TestBackend.StartAsync("shadow", async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("shadow");
        });
        await using var proxy = await TestProxy.StartAsync(Config(primary, shadow.Address.ToString(), "\"percent\": 100, \"maxConcurrent\": 3, \"timeout\": \"60s\""));
        var telemetry = proxy.Services.GetRequiredService<ShapingTelemetry>();
        var mirrors = proxy.Services.GetRequiredService<MirrorSender>();
        try
        {
            // Every client request is answered while the shadow holds every copy it got: nothing waits for it.
            for (var i = 0; i < 40; i++)
            {
                using var response = await proxy.Client.GetAsync($"/page/{i}");
                Assert.Equal("primary", await response.Content.ReadAsStringAsync());
            }

            await shadow.WhenRequestsReach(3).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(3, mirrors.InFlight("all"));
            Assert.Equal(37, telemetry.Dropped);
            Assert.Equal(3, shadow.Requests);
            Assert.Equal(40, primary.Requests);
        }
        finally
        {
            release.TrySetResult();
        }

        await Poll.UntilAsync(() => mirrors.InFlight("all") == 0 && telemetry.Sent == 3, "the three copies to settle", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Copies_CarryTheMethodPathHeadersAndBody_UpToTheLimit()
    {
        var seen = new ConcurrentQueue<string>();
        var primaryBodies = new ConcurrentQueue<int>();
        await using var primary = await TestBackend.StartAsync("primary", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            primaryBodies.Enqueue((await reader.ReadToEndAsync()).Length);
            await context.Response.WriteAsync("primary");
        });
        await using var shadow = await TestBackend.StartAsync("shadow", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            seen.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Request.Headers["X-Custom"]} {await reader.ReadToEndAsync()}");
        });
        await using var proxy = await TestProxy.StartAsync(Config(primary, shadow.Address.ToString(), "\"maxBodyBytes\": \"1KB\""));
        var telemetry = proxy.Services.GetRequiredService<ShapingTelemetry>();

        using var small = new HttpRequestMessage(HttpMethod.Post, "/orders?id=7") { Content = new StringContent(new string('s', 1000)) };
        small.Headers.Add("X-Custom", "copied");
        using (var response = await proxy.Client.SendAsync(small))
        {
            Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        }

        await shadow.WhenRequestsReach(1).WaitAsync(TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => !seen.IsEmpty, "a copy to reach the mirror", TimeSpan.FromSeconds(20));
        Assert.Equal("POST /orders?id=7 copied " + new string('s', 1000), Assert.Single(seen));

        // Over the limit, with a length and chunked: not copied, and the client's request reaches the primary whole.
        using (var response = await proxy.Client.PostAsync("/big", new StringContent(new string('b', 4096))))
        {
            Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        }

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/big-chunked") { Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(new string('c', 5000)))) };
        chunked.Headers.TransferEncodingChunked = true;
        using (var response = await proxy.Client.SendAsync(chunked))
        {
            Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal([1000, 4096, 5000], primaryBodies);
        Assert.Equal(2, telemetry.Dropped);
        Assert.Equal(1, shadow.Requests);
    }

    [Fact]
    public async Task ShadowDown_ClientsNeverSeeIt_AndTheFailuresAreCounted()
    {
        await using var primary = await TestBackend.StartAsync("primary");
        await using var proxy = await TestProxy.StartAsync(Config(primary, $"http://127.0.0.1:{TestBackend.UnusedPort()}/", "\"maxConcurrent\": 100"));
        var telemetry = proxy.Services.GetRequiredService<ShapingTelemetry>();

        for (var i = 0; i < 20; i++)
        {
            using var response = await proxy.Client.PostAsync("/", new StringContent("body"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        }

        await Poll.UntilAsync(() => telemetry.Failed == 20, "20 failed copies", TimeSpan.FromSeconds(20));
        Assert.Equal(0, telemetry.Sent);
    }
}
