using Gatehouse.Cluster;
using Gatehouse.Cluster.Caching;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>
/// Several real Gatehouse nodes (in this process, each with its own listeners, admin API and Redis connection) in front
/// of one origin, sharing one <see cref="RedisServer"/>: cluster mode as the tests run it.
/// </summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    public static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    private ClusterNodes(IReadOnlyList<TestProxy> nodes)
    {
        Nodes = nodes;
    }

    public IReadOnlyList<TestProxy> Nodes { get; }

    public TestProxy this[int index] => Nodes[index];

    /// <summary>A node's config: the origin's routes cached (tags from Cache-Tag), an admin listener, the cluster section.</summary>
    public static string Config(TestBackend origin, RedisServer redis, string nodeName, string clusterExtra = "", string rootExtra = "") => Configs.SingleCluster(
        Configs.Destinations(origin),
        routeExtra: """, "cache": { "enabled": true }""",
        rootExtra: $$""", "admin": { "port": 0 }, "cluster": { "redis": "{{redis.Endpoint}}", "keyPrefix": "test:", "nodeName": "{{nodeName}}" {{clusterExtra}} } {{rootExtra}}""");

    public static async Task<ClusterNodes> StartAsync(TestBackend origin, RedisServer redis, int count = 3, string clusterExtra = "", string rootExtra = "")
    {
        var nodes = new List<TestProxy>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await TestProxy.StartAsync(Config(origin, redis, "node-" + (char)('a' + i), clusterExtra, rootExtra)));
        }

        var cluster = new ClusterNodes(nodes);
        await cluster.WaitForAsync(ClusterConnectionState.Connected);
        return cluster;
    }

    /// <summary>The cluster section for <paramref name="redis"/>, as config JSON members (rootExtra).</summary>
    public static string Section(RedisServer redis, string nodeName, string keyPrefix) =>
        $$""", "cluster": { "redis": "{{redis.Endpoint}}", "keyPrefix": "{{keyPrefix}}", "nodeName": "{{nodeName}}" }""";

    /// <summary>Starts <paramref name="count"/> nodes at once from <paramref name="config"/> (given each node's name) and waits until all reach Redis.</summary>
    public static async Task<ClusterNodes> StartAsync(int count, Func<string, string> config)
    {
        var nodes = await Task.WhenAll(Enumerable.Range(0, count).Select(i => TestProxy.StartAsync(config("node-" + (char)('a' + i)))));
        var started = new ClusterNodes(nodes);
        await started.WaitForAsync(ClusterConnectionState.Connected);
        return started;
    }

    public static ClusterConnection Connection(TestProxy node) => node.Services.GetRequiredService<ClusterConnection>();

    public static ClusterHttpCacheStore Store(TestProxy node) => node.Services.GetRequiredService<ClusterHttpCacheStore>();

    public Task WaitForAsync(ClusterConnectionState state) =>
        Task.WhenAll(Nodes.Select(n => Connection(n).WaitForAsync(state, StateTimeout)));

    /// <summary>Completes when <paramref name="node"/> has written a response of <paramref name="target"/>'s path to Redis.</summary>
    public static Task SharedAsync(TestProxy node, string path)
    {
        var shared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store(node).Shared += response =>
        {
            if (response.Target.EndsWith(path, StringComparison.Ordinal))
            {
                shared.TrySetResult();
            }
        };
        return shared.Task;
    }

    /// <summary>Completes when <paramref name="node"/> has applied a removal another node made (pub/sub).</summary>
    public static Task RemovalReceivedAsync(TestProxy node, CacheRemovalKind kind, string value)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store(node).RemovalReceived += removal =>
        {
            if (removal.Kind == kind && removal.Value == value)
            {
                received.TrySetResult();
            }
        };
        return received.Task;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
