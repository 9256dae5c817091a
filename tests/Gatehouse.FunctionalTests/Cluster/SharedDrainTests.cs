using System.Text.Json;
using Gatehouse.Cluster;
using Gatehouse.FunctionalTests.Admin;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Hosting;
using Gatehouse.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>
/// Drain and disable set through the admin API of one node apply on every node (issue 18), a node that starts later
/// takes the current state, and a change made while Redis is away reaches the others when it is back. Also the Redis
/// connection's state in GET /status and /metrics.
/// </summary>
public sealed class SharedDrainTests
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(5);
    private static readonly ClusterKeys Keys = new("drain-test:");

    private static string Config(TestBackend a, TestBackend b, RedisServer redis, string node) => Configs.SingleCluster(
        Configs.Destinations(a, b), "\"loadBalancingPolicy\": \"RoundRobin\"",
        rootExtra: AdminSession.Config + ClusterNodes.Section(redis, node, Keys.Prefix));

    /// <summary>Awaits a node's mode for destination <paramref name="destination"/> of cluster c through DestinationControls.Changed.</summary>
    private static async Task WaitForModeAsync(TestProxy node, string destination, DestinationMode mode)
    {
        var controls = node.Services.GetRequiredService<DestinationControls>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged()
        {
            if (controls.ModeOf("c", destination) == mode)
            {
                reached.TrySetResult();
            }
        }

        controls.Changed += OnChanged;
        try
        {
            OnChanged();
            await reached.Task.WaitAsync(Propagation);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{ClusterNodes.Connection(node).NodeName}: {destination} is {controls.ModeOf("c", destination)}, not {mode}, after {Propagation}");
        }
        finally
        {
            controls.Changed -= OnChanged;
        }
    }

    private static async Task<HashSet<string>> AnswersAsync(TestProxy node, int count)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            seen.Add(await node.Client.GetStringAsync("/"));
        }

        return seen;
    }

    [Fact]
    public async Task DrainOnOneNode_AppliesOnEveryNode_ALaterNodeLoadsIt_AndEnableOnAnotherNodeUndoesIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var nodes = await ClusterNodes.StartAsync(2, node => Config(a, b, redis, node));
        using var adminA = new AdminSession(nodes[0]);
        using var adminB = new AdminSession(nodes[1]);

        Assert.Equal("drained", await adminA.SetAsync("c", "a", "drain"));
        await WaitForModeAsync(nodes[1], "a", DestinationMode.Draining);
        Assert.Equal(["b"], await AnswersAsync(nodes[1], 10));
        Assert.Equal("drained", (await adminB.DestinationAsync("c", "a")).State);

        await using (var late = await TestProxy.StartAsync(Config(a, b, redis, "node-late")))
        {
            await WaitForModeAsync(late, "a", DestinationMode.Draining);
            Assert.Equal(["b"], await AnswersAsync(late, 10));
        }

        Assert.Equal("disabled", await adminB.SetAsync("c", "b", "disable"));
        Assert.Equal("active", await adminB.SetAsync("c", "a", "enable"));
        await WaitForModeAsync(nodes[0], "a", DestinationMode.Active);
        await WaitForModeAsync(nodes[0], "b", DestinationMode.Disabled);
        Assert.Equal(["a"], await AnswersAsync(nodes[0], 10));
    }

    [Fact]
    public async Task DrainWhileRedisIsAway_AppliesAtOnceOnThatNode_AndReachesTheOthersWhenRedisIsBack()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var nodes = await ClusterNodes.StartAsync(2, node => Config(a, b, redis, node));
        using var adminA = new AdminSession(nodes[0]);

        redis.Kill();
        await nodes.WaitForAsync(ClusterConnectionState.Disconnected);
        Assert.Equal("drained", await adminA.SetAsync("c", "a", "drain"));
        Assert.Equal(["b"], await AnswersAsync(nodes[0], 6));
        Assert.Equal(["a", "b"], (await AnswersAsync(nodes[1], 6)).Order(StringComparer.Ordinal));

        await redis.RestartAsync();
        // Back means both nodes reconnected (the client library's retry takes its time on a loaded machine); from
        // then on the kept drain reaches node B within the 5 s WaitForModeAsync allows.
        await nodes.WaitForAsync(ClusterConnectionState.Connected);
        await WaitForModeAsync(nodes[1], "a", DestinationMode.Draining);
        Assert.Equal(["b"], await AnswersAsync(nodes[1], 6));
    }

    /// <summary>
    /// A node that misses an announcement (another node published it in the moment this one was reconnecting, or its own
    /// read failed) still converges: every node reads the hash again every <see cref="SharedDestinationControls.ResyncInterval"/>.
    /// Here the change is written to the hash by another client with no announcement at all.
    /// </summary>
    [Fact]
    public async Task AChangeInTheHashThatWasNeverAnnounced_ReachesEveryNodeAtTheNextResync()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var nodes = await ClusterNodes.StartAsync(2, node => Config(a, b, redis, node));
        await nodes.WaitForAsync(ClusterConnectionState.Connected);

        await using (var other = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Endpoint))
        {
            Assert.True(await other.GetDatabase().HashSetAsync(Keys.Key(SharedDestinationControls.HashName),
                SharedDestinationControls.Field("c", "a"), SharedDestinationControls.Value("c", "a", DestinationMode.Draining)));
        }

        await WaitForModeAsync(nodes[0], "a", DestinationMode.Draining);
        await WaitForModeAsync(nodes[1], "a", DestinationMode.Draining);
        Assert.Equal(["b"], await AnswersAsync(nodes[1], 6));
    }

    [Fact]
    public async Task StatusAndMetrics_ShowTheRedisConnectionState()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var nodes = await ClusterNodes.StartAsync(1, node => Config(a, b, redis, node));
        using var admin = new AdminSession(nodes[0]);

        using (var status = JsonDocument.Parse(await admin.GetStringAsync("/status")))
        {
            var cluster = status.RootElement.GetProperty("cluster");
            Assert.Equal("node-a", cluster.GetProperty("node").GetString());
            Assert.Equal("connected", cluster.GetProperty("state").GetString());
            Assert.Equal(redis.Endpoint, cluster.GetProperty("redis").GetString());
        }

        Assert.Contains("gatehouse_cluster_redis_connected 1\n", await admin.GetStringAsync("/metrics"), StringComparison.Ordinal);

        redis.Kill();
        await nodes.WaitForAsync(ClusterConnectionState.Disconnected);
        using (var status = JsonDocument.Parse(await admin.GetStringAsync("/status")))
        {
            Assert.Equal("disconnected", status.RootElement.GetProperty("cluster").GetProperty("state").GetString());
        }

        Assert.Contains("gatehouse_cluster_redis_connected 0\n", await admin.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }
}
