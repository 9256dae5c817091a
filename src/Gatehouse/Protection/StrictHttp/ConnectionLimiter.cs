using System.Collections.Concurrent;
using System.Net;

namespace Gatehouse.Protection;

/// <summary>
/// Counts live connections per client IP address and refuses one more than the limit. Lock-free: a counter per address,
/// removed again when it falls to zero so that the table holds only addresses with open connections.
/// </summary>
public sealed class ConnectionLimiter(int maxPerClient)
{
    private readonly ConcurrentDictionary<IPAddress, Counter> _open = new();

    public int MaxPerClient { get; } = maxPerClient;

    /// <summary>Open connections from <paramref name="client"/> now (for tests and status).</summary>
    public int OpenFrom(IPAddress client) => _open.TryGetValue(Normalize(client), out var counter) ? Volatile.Read(ref counter.Value) : 0;

    /// <summary>Counts a new connection from <paramref name="client"/>, or returns false (counting nothing) when it already has the maximum.</summary>
    public bool TryAcquire(IPAddress client)
    {
        client = Normalize(client);
        while (true)
        {
            var counter = _open.GetOrAdd(client, static _ => new Counter());
            var current = Volatile.Read(ref counter.Value);
            if (current < 0)
            {
                // Being removed by Release; take a fresh counter.
                continue;
            }

            if (current >= MaxPerClient)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter.Value, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release(IPAddress client)
    {
        client = Normalize(client);
        if (!_open.TryGetValue(client, out var counter))
        {
            return;
        }

        if (Interlocked.Decrement(ref counter.Value) == 0 && Interlocked.CompareExchange(ref counter.Value, -1, 0) == 0)
        {
            // Marked dead (-1) so no acquirer can revive it; then removed.
            _open.TryRemove(new KeyValuePair<IPAddress, Counter>(client, counter));
        }
    }

    // An IPv4 client seen on a dual-stack socket (::ffff:1.2.3.4) is the same client as 1.2.3.4.
    private static IPAddress Normalize(IPAddress address) => IpNetworkList.Normalize(address);

    private sealed class Counter
    {
        public int Value;
    }
}
