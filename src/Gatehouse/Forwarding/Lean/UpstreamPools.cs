using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Gatehouse.Runtime;
using Gatehouse.Upstream;

namespace Gatehouse.Forwarding;

/// <summary>
/// The lean path's connection pools: one per backend authority (host and port) and pool options, created on first use.
/// When a generation is applied, the pools of authorities no cluster names any more are disposed (their idle
/// connections closed; those in use close when their exchange ends).
/// </summary>
public sealed class UpstreamPools : IAsyncDisposable
{
    private readonly ConcurrentDictionary<PoolKey, UpstreamPoolEntry> _pools = new();
    private readonly ConcurrentDictionary<string, Uri> _addresses = new(StringComparer.Ordinal);
    private readonly GenerationHolder? _generations;
    private readonly TimeProvider _time;

    public UpstreamPools(TimeProvider time, GenerationHolder? generations = null)
    {
        _time = time;
        _generations = generations;
        if (generations is not null)
        {
            generations.Applied += Retain;
        }
    }

    public int Count => _pools.Count;

    /// <summary>The clock the pools' idle timeouts run on (the client connections' own pools use it too).</summary>
    internal TimeProvider Time => _time;

    /// <summary>The pool for the authority of <paramref name="destination"/> (an absolute http:// URI).</summary>
    public UpstreamPoolEntry For(Uri destination, UpstreamOptions options) =>
        _pools.GetOrAdd(new PoolKey(destination.Host, destination.Port, options), Create, _time);

    /// <summary>
    /// A destination's address (YARP's destination prefix) as a Uri, made once: the direct head needs only its host and
    /// port, where the message path parses the whole request address per request.
    /// </summary>
    internal Uri AddressOf(string destinationPrefix)
    {
        if (_addresses.TryGetValue(destinationPrefix, out var address))
        {
            return address;
        }

        if (_addresses.Count >= MaxAddresses)
        {
            _addresses.Clear(); // bounded whatever DNS answers bring between generations
        }

        return _addresses.GetOrAdd(destinationPrefix, new Uri(destinationPrefix, UriKind.Absolute));
    }

    private const int MaxAddresses = 4096;

    /// <summary>Replaces a pool that was disposed while a request was about to use it (a reload removed its destination).</summary>
    internal UpstreamPoolEntry Renew(Uri destination, UpstreamOptions options, UpstreamPoolEntry disposed)
    {
        _pools.TryRemove(KeyValuePair.Create(new PoolKey(destination.Host, destination.Port, options), disposed));
        return For(destination, options);
    }

    /// <summary>Disposes the pools that <paramref name="generation"/> no longer uses.</summary>
    public void Retain(Generation generation)
    {
        // Destinations come and go with generations (and DNS answers): the addresses are made again as used.
        _addresses.Clear();
        var live = new HashSet<PoolKey>();
        foreach (var (clusterId, cluster) in generation.Config.Clusters)
        {
            if (generation.Cluster<LeanForwarding>(clusterId) is not { } lean)
            {
                continue;
            }

            foreach (var destination in cluster.Destinations.Values)
            {
                if (Uri.TryCreate(destination.Address, UriKind.Absolute, out var uri))
                {
                    live.Add(new PoolKey(uri.Host, uri.Port, lean.Options));
                }
            }
        }

        foreach (var (key, entry) in _pools)
        {
            if (!live.Contains(key) && _pools.TryRemove(KeyValuePair.Create(key, entry)))
            {
                _ = entry.Pool.DisposeAsync().AsTask();
            }
        }
    }

    private static UpstreamPoolEntry Create(PoolKey key, TimeProvider time) => CreateEntry(key.Host, key.Port, key.Options, time, ReadOnlyMemory<byte>.Empty);

    /// <summary>A pool for host:port whose connections begin with <paramref name="preface"/> (empty: none), and its Host header.</summary>
    internal static UpstreamPoolEntry CreateEntry(string hostName, int port, UpstreamOptions options, TimeProvider time, ReadOnlyMemory<byte> preface)
    {
        EndPoint endPoint = IPAddress.TryParse(hostName, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(hostName, port);

        // The Host HttpClient sends for such a URI: the host as written (IPv6 in brackets), the port unless 80.
        var host = port == 80 ? hostName : hostName + ":" + port.ToString(CultureInfo.InvariantCulture);
        return new UpstreamPoolEntry(new UpstreamPool(endPoint, preface, options, time), host);
    }

    public async ValueTask DisposeAsync()
    {
        if (_generations is not null)
        {
            _generations.Applied -= Retain;
        }

        foreach (var (key, entry) in _pools)
        {
            if (_pools.TryRemove(KeyValuePair.Create(key, entry)))
            {
                await entry.Pool.DisposeAsync();
            }
        }
    }

    private readonly record struct PoolKey(string Host, int Port, UpstreamOptions Options);
}

/// <summary>A pool and the Host header value for requests through it.</summary>
public sealed record UpstreamPoolEntry(UpstreamPool Pool, string HostHeader);
