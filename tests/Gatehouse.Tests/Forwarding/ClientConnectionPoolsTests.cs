using System.Net;
using Gatehouse.Forwarding;
using Gatehouse.Upstream;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Forwarding;

public class ClientConnectionPoolsTests
{
    private static readonly Uri Destination = new("http://127.0.0.1:9001/");
    private static readonly UpstreamOptions Options = new();

    private sealed class ConnectionItems : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
    }

    /// <summary>A request on a client connection whose items are <paramref name="items"/>, from <paramref name="client"/>.</summary>
    private static DefaultHttpContext Request(ConnectionItems items, string client, int port = 40000)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IConnectionItemsFeature>(items);
        context.Connection.RemoteIpAddress = IPAddress.Parse(client);
        context.Connection.RemotePort = port;
        context.Connection.LocalIpAddress = IPAddress.Loopback;
        context.Connection.LocalPort = 8080;
        return context;
    }

    [Fact]
    public void RequestsOfOneClientConnection_ShareItsPool_AndOtherConnectionsHaveTheirOwn()
    {
        var connection = new ConnectionItems();
        var first = Request(connection, "192.0.2.1");
        var pool = ClientConnectionPools.Of(first, TimeProvider.System)!.For(first, Destination, Options, 2);
        var second = Request(connection, "192.0.2.1");
        Assert.Same(pool, ClientConnectionPools.Of(second, TimeProvider.System)!.For(second, Destination, Options, 2));

        var other = Request(new ConnectionItems(), "192.0.2.1");
        Assert.NotSame(pool, ClientConnectionPools.Of(other, TimeProvider.System)!.For(other, Destination, Options, 2));
    }

    [Fact]
    public void ADifferentClientOnTheSameConnection_GetsADifferentPool()
    {
        // A trusted proxy in front brings two clients over one connection (X-Forwarded-For): their headers differ.
        var connection = new ConnectionItems();
        var a = Request(connection, "192.0.2.1");
        var b = Request(connection, "192.0.2.2");
        var pools = ClientConnectionPools.Of(a, TimeProvider.System)!;
        Assert.NotSame(pools.For(a, Destination, Options, 2), pools.For(b, Destination, Options, 2));
        Assert.NotSame(pools.For(a, Destination, Options, 2), pools.For(a, Destination, Options, 1));
        Assert.Equal(3, pools.Count);
    }

    [Fact]
    public async Task WhenTheClientConnectionEnds_ItsPoolsAreClosed()
    {
        var connection = new ConnectionItems();
        var request = Request(connection, "192.0.2.1");
        var entry = ClientConnectionPools.Of(request, TimeProvider.System)!.For(request, Destination, Options, 2);

        await ClientConnectionPools.ReleaseAsync(connection.Items);

        Assert.Empty(connection.Items);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => entry.Pool.SendAsync(new UpstreamRequest("GET", "/", "a", []), CancellationToken.None));
    }
}
