using System.Diagnostics;
using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Http;

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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SlowUploadThatKeepsMoving_IsNotCutByTheActivityTimeout(bool chunked)
    {
        // The activity timeout is silence either way (nginx's proxy_send_timeout is per write): an upload whose pieces
        // keep coming, for longer in all than the timeout, is forwarded whole, as YARP's copier allows.
        await using var counting = await TestBackend.StartAsync("counting", async context =>
        {
            var total = 0L;
            var buffer = new byte[16384];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                total += read;
            }

            await context.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture), context.RequestAborted);
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(counting),
            "\"httpRequest\": { \"activityTimeout\": \"400ms\" }, \"retry\": { \"enabled\": false }"));
        const int pieces = 8, pieceBytes = 32 * 1024;
        var content = new PacedContent(pieces, pieceBytes, TimeSpan.FromMilliseconds(150));
        if (!chunked)
        {
            content.Headers.ContentLength = pieces * pieceBytes;
        }

        var watch = Stopwatch.StartNew();
        using var response = await proxy.Client.PostAsync("/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((pieces * pieceBytes).ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        Assert.True(watch.Elapsed > TimeSpan.FromMilliseconds(800), $"the upload took {watch.ElapsedMilliseconds} ms, not more than twice the activity timeout");
    }

    /// <summary>A body sent in pieces with a pause before each: a slow client (the pause is the scenario, not a wait for an event).</summary>
    private sealed class PacedContent(int pieces, int pieceBytes, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var piece = new byte[pieceBytes];
            for (var i = 0; i < pieces; i++)
            {
                await Task.Delay(pause);
                await stream.WriteAsync(piece);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
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
