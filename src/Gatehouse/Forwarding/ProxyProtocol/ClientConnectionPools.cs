using System.Collections.Concurrent;
using System.Net;
using Gatehouse.Upstream;
using Microsoft.AspNetCore.Connections.Features;

namespace Gatehouse.Forwarding;

/// <summary>
/// The lean path's pools for destinations that are sent the PROXY protocol. The header describes one client and goes
/// once, at the start of an upstream connection, so such a connection must never carry another client's request: the
/// pools live on the client connection (HAProxy marks such server connections private to their client session), keyed
/// by destination and by the client the header names (a trusted proxy may bring different clients over one
/// connection). Keep-alive still works within a client connection; the pools close when it ends
/// (<see cref="ReleaseAsync"/>, called by the listener's connection middleware).
/// </summary>
public sealed class ClientConnectionPools : IAsyncDisposable
{
    private static readonly object Key = new();
    private readonly ConcurrentDictionary<PoolKey, UpstreamPoolEntry> _pools = new();
    private readonly TimeProvider _time;
    private bool _disposed;

    private ClientConnectionPools(TimeProvider time) => _time = time;

    /// <summary>This client connection's pools, created on first use.</summary>
    public static ClientConnectionPools? Of(HttpContext context, TimeProvider time)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items is not { } items)
        {
            return null;
        }

        // HTTP/2 streams of one connection share its items.
        lock (items)
        {
            if (items.TryGetValue(Key, out var existing) && existing is ClientConnectionPools pools)
            {
                return pools;
            }

            var created = new ClientConnectionPools(time);
            items[Key] = created;
            return created;
        }
    }

    /// <summary>Closes the pools of a client connection that has ended.</summary>
    public static ValueTask ReleaseAsync(IDictionary<object, object?> connectionItems)
    {
        ClientConnectionPools? pools;
        lock (connectionItems)
        {
            pools = connectionItems.TryGetValue(Key, out var value) ? value as ClientConnectionPools : null;
            connectionItems.Remove(Key);
        }

        return pools is null ? ValueTask.CompletedTask : pools.DisposeAsync();
    }

    public int Count => _pools.Count;

    /// <summary>The pool for <paramref name="destination"/> whose connections begin with this client's header.</summary>
    public UpstreamPoolEntry For(HttpContext context, Uri destination, UpstreamOptions options, int version)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var source = ClientProxyHeader.Source(context);
        var key = new PoolKey(destination.Host, destination.Port, options, version, source);
        if (_pools.TryGetValue(key, out var entry))
        {
            return entry;
        }

        var header = ClientProxyHeader.For(context, source, version);
        return _pools.GetOrAdd(key, static (k, state) => UpstreamPools.CreateEntry(k.Host, k.Port, k.Options, state.Time, state.Header), (Time: _time, Header: header));
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var (key, entry) in _pools)
        {
            if (_pools.TryRemove(KeyValuePair.Create(key, entry)))
            {
                await entry.Pool.DisposeAsync();
            }
        }
    }

    private readonly record struct PoolKey(string Host, int Port, UpstreamOptions Options, int Version, IPEndPoint? Source);
}
