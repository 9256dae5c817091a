using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gatehouse.Forwarding;

/// <summary>The listener hook that closes a client connection's PROXY protocol pools when the connection ends.</summary>
public static class ClientConnectionPoolsListener
{
    public static void UseClientConnectionPools(this ListenOptions listen) => listen.Use(next => async connection =>
    {
        try
        {
            await next(connection);
        }
        finally
        {
            await ClientConnectionPools.ReleaseAsync(connection.Items);
        }
    });
}
