using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Configuration;

public sealed class HotReloadTests
{
    [Fact]
    public async Task AddingAndRemovingDestinationsUnderLoad_FailsNoRequest()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        const string cluster = "\"loadBalancingPolicy\": \"RoundRobin\"";
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), cluster));
        await using var load = Load.Start(proxy.Client, "/", workers: 4);
        await a.WhenRequestsReach(200);

        var added = await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(a, b, c), cluster));
        Assert.True(added.Applied);
        await c.WhenRequestsReach(200).WaitAsync(TimeSpan.FromSeconds(10));

        var removed = await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(b, c), cluster));
        Assert.True(removed.Applied);
        var aAfterRemoval = a.Requests;
        await b.WhenRequestsReach(b.Requests + 300).WaitAsync(TimeSpan.FromSeconds(10));
        await c.WhenRequestsReach(c.Requests + 300).WaitAsync(TimeSpan.FromSeconds(10));
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.True(a.Requests - aAfterRemoval <= 8, $"a still got {a.Requests - aAfterRemoval} requests after removal");
    }

    [Fact]
    public async Task InvalidReload_IsRejectedWithEveryError_AndTheLastGoodConfigKeepsServing()
    {
        await using var a = await TestBackend.StartAsync("a");
        var good = Configs.SingleCluster(Configs.Destinations(a));
        await using var proxy = await TestProxy.StartAsync(good);
        await using var load = Load.Start(proxy.Client, "/", workers: 2);
        await a.WhenRequestsReach(50);

        var broken = await proxy.ReloadAsync(good
            .Replace(a.Address.ToString(), "ftp://nowhere", StringComparison.Ordinal)
            .Replace("\"clusterId\": \"c\"", "\"clusterId\": \"missing\"", StringComparison.Ordinal));
        Assert.False(broken.Applied);
        Assert.Contains(broken.Errors, e => e.Path == "clusters.c.destinations.a.address");
        Assert.Contains(broken.Errors, e => e.Path == "routes.all.clusterId");

        var notJson = await proxy.ReloadAsync("{ \"listeners\": [ ");
        Assert.False(notJson.Applied);

        var served = a.Requests;
        await a.WhenRequestsReach(served + 100).WaitAsync(TimeSpan.FromSeconds(10));
        await load.StopAsync();
        Assert.Empty(load.Failures);

        var fixedAgain = await proxy.ReloadAsync(good);
        Assert.True(fixedAgain.Applied);
        Assert.Equal("a", await proxy.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task ReloadWithTwoRoutesOfTheSameMatch_IsRejected_AndTheLastGoodConfigKeepsServing()
    {
        await using var a = await TestBackend.StartAsync("a");
        var good = Configs.SingleCluster(Configs.Destinations(a));
        await using var proxy = await TestProxy.StartAsync(good);

        // Applied, every request to "/" would fail with AmbiguousMatchException (a 500).
        var duplicate = await proxy.ReloadAsync(good.Replace(
            "\"routes\": { \"all\":", "\"routes\": { \"first\": { \"clusterId\": \"c\", \"match\": { \"pathPrefix\": \"/\" } }, \"all\":", StringComparison.Ordinal));

        Assert.False(duplicate.Applied);
        var error = Assert.Single(duplicate.Errors);
        Assert.Equal("routes.all.match", error.Path);
        Assert.Contains("routes.first", error.Message, StringComparison.Ordinal);
        using var response = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenWebSocket_SurvivesAReload()
    {
        await using var echo = await TestBackend.StartAsync("echo", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await context.Response.WriteAsync("echo");
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });
        await using var other = await TestBackend.StartAsync("other");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(echo)));

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Address.Port}/ws"), CancellationToken.None);
        Assert.Equal("one", await RoundTripAsync(client, "one"));

        // The reload replaces the cluster's destinations entirely; the open socket keeps its backend connection.
        var outcome = await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(other)));
        Assert.True(outcome.Applied);
        Assert.Equal("other", await proxy.Client.GetStringAsync("/"));
        Assert.Equal("two", await RoundTripAsync(client, "two"));

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static async Task<string> RoundTripAsync(ClientWebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }
}
