using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.Protection;

/// <summary>
/// The hosts the routes declare, to tell "no route for this host" (421 or 404, <c>http.unknownHostStatus</c>) from "no
/// route for this path" (404). When any route accepts every host, no host is unknown. Patterns are YARP's:
/// <c>example.com</c>, <c>*.example.com</c>, optionally with <c>:port</c>; names ignore case.
/// </summary>
public sealed class KnownHosts
{
    private readonly FrozenSet<string> _exact;
    private readonly string[] _wildcardSuffixes;

    private KnownHosts(bool anyHost, FrozenSet<string> exact, string[] wildcardSuffixes)
    {
        AnyHost = anyHost;
        _exact = exact;
        _wildcardSuffixes = wildcardSuffixes;
    }

    /// <summary>True when some route declares no host, so every host has a route.</summary>
    public bool AnyHost { get; }

    public static KnownHosts From(GatehouseConfig config)
    {
        var anyHost = config.Routes.Count == 0;
        var exact = new List<string>();
        var suffixes = new List<string>();
        foreach (var route in config.Routes.Values)
        {
            if (route?.Match.Hosts is not { Count: > 0 } hosts)
            {
                anyHost = true;
                continue;
            }

            foreach (var host in hosts)
            {
                if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    suffixes.Add(host[1..]);
                }
                else
                {
                    exact.Add(host);
                }
            }
        }

        return new KnownHosts(anyHost, exact.ToFrozenSet(StringComparer.OrdinalIgnoreCase), [.. suffixes]);
    }

    /// <summary>Whether a request for <paramref name="host"/> (the Host header's host) on <paramref name="port"/> has a route.</summary>
    public bool IsKnown(string host, int? port)
    {
        if (AnyHost)
        {
            return true;
        }

        var withPort = port is { } p ? $"{host}:{p}" : null;
        if (_exact.Contains(host) || (withPort is not null && _exact.Contains(withPort)))
        {
            return true;
        }

        foreach (var suffix in _wildcardSuffixes)
        {
            var pattern = suffix.AsSpan();
            var colon = pattern.LastIndexOf(':');
            if (colon >= 0 && (withPort is null || !pattern[(colon + 1)..].SequenceEqual(withPort.AsSpan(withPort.LastIndexOf(':') + 1))))
            {
                continue;
            }

            var name = colon >= 0 ? pattern[..colon] : pattern;
            if (host.Length > name.Length && host.AsSpan().EndsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
