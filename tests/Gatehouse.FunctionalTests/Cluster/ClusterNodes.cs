using Gatehouse.Cluster;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>Several Gatehouse nodes (in-process servers) sharing one Redis, started together, each connected before use.</summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    public static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    private ClusterNodes(IReadOnlyList<TestProxy> nodes) => Nodes = nodes;

    public IReadOnlyList<TestProxy> Nodes { get; }

    public TestProxy this[int index] => Nodes[index];

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

    public Task WaitForAsync(ClusterConnectionState state) =>
        Task.WhenAll(Nodes.Select(n => Connection(n).WaitForAsync(state, StateTimeout)));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
