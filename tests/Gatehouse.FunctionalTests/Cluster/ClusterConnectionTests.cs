using System.Net;
using Gatehouse.Cluster;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>The shared Redis connection of a node, against a real redis-server on loopback that the tests kill and restart.</summary>
public class ClusterConnectionTests
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    private static string Config(TestBackend backend, RedisServer redis, string nodeName) => Configs.SingleCluster(
        Configs.Destinations(backend),
        rootExtra: $$""", "cluster": { "redis": "{{redis.Endpoint}}", "keyPrefix": "conn-test:", "nodeName": "{{nodeName}}" }""");

    [Fact]
    public async Task Node_ConnectsWithItsName_AndKeysCarryThePrefix()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("b1");
        await using var proxy = await TestProxy.StartAsync(Config(backend, redis, "node-a"));
        var connection = proxy.Services.GetRequiredService<ClusterConnection>();

        await connection.WaitForAsync(ClusterConnectionState.Connected, StateTimeout);

        Assert.Equal("conn-test:cache:x", connection.Keys.Key("cache:x").ToString());
        await connection.Database!.StringSetAsync(connection.Keys.Key("probe"), "1");
        Assert.Equal("1", (string?)await (await redis.DatabaseAsync()).StringGetAsync("conn-test:probe"));
        var clients = (string?)await (await redis.DatabaseAsync()).ExecuteAsync("CLIENT", "LIST");
        Assert.Contains("name=node-a", clients, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisDown_NodeServes_LogsOnce_AndReconnectsWithinFiveSecondsOfRedisComingBack()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("b1");
        var logs = new CapturedLogs();
        await using var proxy = await TestProxy.StartAsync(Config(backend, redis, "node-a"), builder => builder.Logging.AddProvider(logs));
        var connection = proxy.Services.GetRequiredService<ClusterConnection>();
        await connection.WaitForAsync(ClusterConnectionState.Connected, StateTimeout);

        redis.Kill();
        await connection.WaitForAsync(ClusterConnectionState.Disconnected, StateTimeout);
        Assert.Null(connection.Database);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync($"/r{i}")).StatusCode);
            connection.ReportFailure(new InvalidOperationException("a command failed while Redis was down"));
        }

        await redis.RestartAsync();
        var back = DateTimeOffset.UtcNow;
        await connection.WaitForAsync(ClusterConnectionState.Connected, StateTimeout);
        Assert.True(DateTimeOffset.UtcNow - back < TimeSpan.FromSeconds(5), $"reconnected after {DateTimeOffset.UtcNow - back}");
        Assert.NotNull(connection.Database);

        var clusterLines = logs.AtLeast(LogLevel.Information).Where(l => l.Contains("Cluster:", StringComparison.Ordinal)).ToList();
        Assert.Single(clusterLines, l => l.Contains("unreachable", StringComparison.Ordinal));
        Assert.Single(clusterLines, l => l.Contains("a Redis command failed", StringComparison.Ordinal));
        Assert.Single(clusterLines, l => l.Contains("reconnected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RedisNotThereAtStart_NodeStartsAndServesAlone()
    {
        await using var redis = await RedisServer.StartAsync();
        redis.Kill();
        await using var backend = await TestBackend.StartAsync("b1");
        await using var proxy = await TestProxy.StartAsync(Config(backend, redis, "node-a"));
        var connection = proxy.Services.GetRequiredService<ClusterConnection>();

        Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/")).StatusCode);
        await connection.WaitForAsync(ClusterConnectionState.Disconnected, StateTimeout);

        await redis.RestartAsync();
        await connection.WaitForAsync(ClusterConnectionState.Connected, StateTimeout);
    }

    [Fact]
    public async Task Connected_MeansSubscribed_AMessagePublishedAtOnceArrives_AtStartAndAfterEachRestart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = new ClusterConnection(
            new ClusterOptions { Redis = redis.Endpoint, KeyPrefix = "sub-test:", NodeName = "node-s" },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ClusterConnection>.Instance);
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var arrived = new SemaphoreSlim(0);
        connection.Subscribe("news", message =>
        {
            received.Enqueue((string?)message ?? "");
            arrived.Release();
        });
        connection.Start();

        for (var round = 0; round < 3; round++)
        {
            await connection.WaitForAsync(ClusterConnectionState.Connected, StateTimeout);

            // Published from another client the moment Connected is seen: the subscription must already be in place.
            await using var publisher = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
            Assert.Equal(1, await publisher.GetDatabase().PublishAsync(StackExchange.Redis.RedisChannel.Literal("sub-test:news"), $"m{round}"));
            Assert.True(await arrived.WaitAsync(StateTimeout), $"round {round}: nothing arrived");
            Assert.Equal($"m{round}", received.Last());

            redis.Kill();
            await connection.WaitForAsync(ClusterConnectionState.Disconnected, StateTimeout);
            await redis.RestartAsync();
        }
    }
}
