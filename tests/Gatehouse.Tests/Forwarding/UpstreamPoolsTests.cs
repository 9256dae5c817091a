using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Forwarding;

public sealed class UpstreamPoolsTests
{
    private static GatehouseConfig Config(params string[] addresses) => new()
    {
        Forwarder = "lean",
        Clusters = new Dictionary<string, ClusterDefinition>
        {
            ["c"] = new() { Destinations = addresses.Select((a, i) => KeyValuePair.Create($"d{i}", new DestinationDefinition { Address = a })).ToDictionary() },
        },
    };

    [Fact]
    public async Task APool_IsSharedPerAuthority_AndDisposedWhenNoClusterNamesItAnyMore()
    {
        await using var pools = new UpstreamPools(TimeProvider.System);
        var first = GenerationCompiler.Compile(Config("http://10.0.0.1:8080", "http://10.0.0.2:8080/base"));
        var options = first.Cluster<LeanForwarding>("c")!.Options;

        var a = pools.For(new Uri("http://10.0.0.1:8080/x?y"), options);
        Assert.Same(a, pools.For(new Uri("http://10.0.0.1:8080/other"), options));
        var b = pools.For(new Uri("http://10.0.0.2:8080/base/z"), options);
        Assert.Equal(("10.0.0.1:8080", "10.0.0.2:8080"), (a.HostHeader, b.HostHeader));

        pools.Retain(first);
        Assert.Equal(2, pools.Count);

        pools.Retain(GenerationCompiler.Compile(Config("http://10.0.0.2:8080/base")));
        Assert.Equal(1, pools.Count);
        Assert.Same(b, pools.For(new Uri("http://10.0.0.2:8080/"), options));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.Pool.SendAsync(new Gatehouse.Upstream.UpstreamRequest("GET", "/", "h", [])));
    }

    [Fact]
    public async Task TheHostHeader_IsWhatHttpClientWouldSend()
    {
        await using var pools = new UpstreamPools(TimeProvider.System);
        var options = new Gatehouse.Upstream.UpstreamOptions();

        Assert.Equal("backend.internal", pools.For(new Uri("http://backend.internal/"), options).HostHeader);
        Assert.Equal("[::1]:81", pools.For(new Uri("http://[::1]:81/"), options).HostHeader);
    }
}
