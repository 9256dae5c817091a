using Gatehouse.Upstream;

namespace Gatehouse.Forwarding;

internal sealed partial class LeanForwarder
{
    /// <summary>
    /// The shared pool of the destination's authority, or, when the destination is sent the PROXY protocol, the client
    /// connection's own pool, whose connections begin with this client's header (<see cref="ClientConnectionPools"/>).
    /// </summary>
    private UpstreamPoolEntry PoolFor(HttpContext context, Uri destination, UpstreamOptions options)
    {
        var version = ProxyProtocolSending.VersionFor(context);
        if (version == 0)
        {
            return pools.For(destination, options);
        }

        // Never the shared pool: its connections carry no header, or another client's.
        var clientPools = ClientConnectionPools.Of(context, pools.Time)
            ?? throw new InvalidOperationException("a PROXY protocol destination needs the client connection's items");
        return clientPools.For(context, destination, options, version);
    }
}
