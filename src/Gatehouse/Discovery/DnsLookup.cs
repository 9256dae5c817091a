using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Gatehouse.Discovery;

/// <summary>
/// Looks a name up with DnsClient: A and AAAA, or SRV and then its targets' addresses. Any failure (timeout, server
/// error, no address at all) is an exception, so the caller keeps its last good answer. No cache here: the TTL handling
/// is <see cref="DnsNameWatch"/>'s.
/// </summary>
public static class DnsLookup
{
    public static async Task<DnsAnswer> LookupAsync(string name, DnsDestinationSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.Resolvers.Count > 0 ? new LookupClientOptions([.. settings.Resolvers]) : new LookupClientOptions();
        options.UseCache = false;
        options.Timeout = TimeSpan.FromSeconds(2);
        options.Retries = 1;
        options.ThrowDnsErrors = true;
        options.ContinueOnDnsError = false;
        options.UseTcpFallback = true;
        var client = new LookupClient(options);
        var addresses = new List<ResolvedAddress>();
        var ttl = TimeSpan.MaxValue;
        if (settings.Srv)
        {
            var srv = await client.QueryAsync(name, QueryType.SRV, cancellationToken: cancellationToken).ConfigureAwait(false);
            var records = srv.Answers.SrvRecords().ToList();
            ttl = MinTtl(ttl, records.Select(r => r.TimeToLive));
            foreach (var (target, port, weight) in DnsDecisions.UsableSrv(records.Select(r => (r.Target.Value, (int)r.Port, (int)r.Priority, (int)r.Weight))))
            {
                var (targetAddresses, targetTtl) = await AddressesAsync(client, target, cancellationToken).ConfigureAwait(false);
                ttl = targetTtl < ttl ? targetTtl : ttl;
                addresses.AddRange(targetAddresses.Select(a => new ResolvedAddress(a, port, weight, target)));
            }
        }
        else
        {
            var (found, foundTtl) = await AddressesAsync(client, name, cancellationToken).ConfigureAwait(false);
            ttl = foundTtl;
            addresses.AddRange(found.Select(a => new ResolvedAddress(a)));
        }

        if (addresses.Count == 0)
        {
            throw new DnsResponseException($"no address for {name}");
        }

        return new DnsAnswer(addresses.Distinct().ToList(), ttl == TimeSpan.MaxValue ? TimeSpan.Zero : ttl);
    }

    /// <summary>
    /// A and AAAA together. One of the two failing is not a failure when the other gives addresses: a server with no
    /// upstream (dnsmasq with only local names) refuses the family it has no record of.
    /// </summary>
    private static async Task<(List<IPAddress> Addresses, TimeSpan Ttl)> AddressesAsync(LookupClient client, string name, CancellationToken cancellationToken)
    {
        var queries = new[] { client.QueryAsync(name, QueryType.A, cancellationToken: cancellationToken), client.QueryAsync(name, QueryType.AAAA, cancellationToken: cancellationToken) };
        var records = new List<AddressRecord>();
        Exception? failure = null;
        foreach (var query in queries)
        {
            try
            {
                records.AddRange((await query.ConfigureAwait(false)).Answers.OfType<AddressRecord>());
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure ??= ex;
            }
        }

        if (records.Count == 0 && failure is not null)
        {
            throw failure;
        }

        return (records.Select(r => r.Address).Distinct().ToList(), MinTtl(TimeSpan.MaxValue, records.Select(r => r.TimeToLive)));
    }

    private static TimeSpan MinTtl(TimeSpan current, IEnumerable<int> seconds)
    {
        foreach (var s in seconds)
        {
            var ttl = TimeSpan.FromSeconds(Math.Max(0, s));
            current = ttl < current ? ttl : current;
        }

        return current;
    }
}
