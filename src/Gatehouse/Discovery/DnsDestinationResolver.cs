using System.Collections.Concurrent;
using Gatehouse.Runtime;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Gatehouse.Discovery;

/// <summary>
/// YARP's destination resolver for clusters with <c>dns.resolve</c>: each destination whose address names a host becomes
/// one destination per address of the last good answer (<see cref="DnsDecisions.Expand"/>); the others pass through. The
/// change token it hands YARP fires when an answer changes, and YARP then applies the cluster's new destinations in
/// place, keeping the state of those that stay. The first lookup of a name is awaited (so the first config starts with
/// its destinations); a name no config uses any more stops being watched at the next reload.
/// </summary>
public sealed class DnsDestinationResolver : IDestinationResolver, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DnsNameWatch> _watches = new(StringComparer.Ordinal);
    private readonly Func<string, DnsDestinationSettings, CancellationToken, Task<DnsAnswer>> _lookup;
    private readonly TimeProvider _time;
    private readonly ILogger<DnsDestinationResolver> _logger;

    public DnsDestinationResolver(GenerationHolder generations, TimeProvider time, ILogger<DnsDestinationResolver> logger)
        : this(DnsLookup.LookupAsync, time, logger) =>
        generations.Applied += generation => _ = ForgetUnusedAsync(generation);

    public DnsDestinationResolver(Func<string, DnsDestinationSettings, CancellationToken, Task<DnsAnswer>> lookup, TimeProvider time, ILogger<DnsDestinationResolver> logger)
    {
        _lookup = lookup;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after every lookup (tests await the outage instead of sleeping; operations see failures).</summary>
    public event Action<DnsLookupOutcome>? LookupCompleted;

    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        Dictionary<string, DestinationConfig>? resolved = null;
        List<IChangeToken>? tokens = null;
        foreach (var (id, destination) in destinations)
        {
            if (DnsDestinationSettings.FromMetadata(destination.Metadata) is not { } settings || !DnsDecisions.NamesAHost(destination.Address))
            {
                continue;
            }

            resolved ??= new Dictionary<string, DestinationConfig>(destinations.Where(d => DnsDestinationSettings.FromMetadata(d.Value.Metadata) is null || !DnsDecisions.NamesAHost(d.Value.Address)), StringComparer.OrdinalIgnoreCase);
            var name = NameOf(destination.Address, settings);
            var watch = _watches.GetOrAdd(settings.LookupKey(name), _ => new DnsNameWatch(name, settings, _lookup, _time, Report));
            await watch.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            (tokens ??= []).Add(watch.Changed);
            if (watch.Answer is { } answer)
            {
                foreach (var (expandedId, expanded) in DnsDecisions.Expand(id, destination, settings, answer))
                {
                    resolved[expandedId] = expanded;
                }
            }
        }

        return resolved is null
            ? new ResolvedDestinationCollection(destinations, null)
            : new ResolvedDestinationCollection(resolved, new CompositeChangeToken(tokens!));
    }

    /// <summary>The name looked up: the address's host (SRV: the whole <c>_service._proto.name</c> as written).</summary>
    private static string NameOf(string address, DnsDestinationSettings settings) => new Uri(address).IdnHost;

    private void Report(DnsLookupOutcome outcome)
    {
        if (outcome.Error is { } error)
        {
            _logger.LogWarning("DNS lookup of {Name} failed, keeping its last good answer: {Error}", outcome.Name, error);
        }

        LookupCompleted?.Invoke(outcome);
    }

    private async Task ForgetUnusedAsync(Generation generation)
    {
        var inUse = generation.Config.Clusters.Values
            .SelectMany(c => DnsDestinationSettings.From(c.Dns) is { } settings
                ? c.Destinations.Values.Where(d => d.Address is not null && DnsDecisions.NamesAHost(d.Address)).Select(d => settings.LookupKey(NameOf(d.Address!, settings)))
                : [])
            .ToHashSet(StringComparer.Ordinal);
        foreach (var key in _watches.Keys.Where(k => !inUse.Contains(k)).ToList())
        {
            if (_watches.TryRemove(key, out var watch))
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var watch in _watches.Values)
        {
            await watch.DisposeAsync().ConfigureAwait(false);
        }

        _watches.Clear();
    }
}
