using System.Net;

namespace Gatehouse.Protection;

/// <summary>
/// The host and port of each destination of a cluster, as a backend would write them into a URL that points at
/// itself. Built once per config from the destination addresses.
/// </summary>
public sealed class BackendOrigins
{
    private readonly Origin[] _origins;

    private BackendOrigins(Origin[] origins) => _origins = origins;

    public static BackendOrigins Empty { get; } = new([]);

    public bool IsEmpty => _origins.Length == 0;

    /// <summary>From destination addresses (absolute http(s) URIs); anything else is ignored.</summary>
    public static BackendOrigins From(IEnumerable<string?> addresses)
    {
        var origins = new List<Origin>();
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                var host = Unbracket(uri.Host);
                origins.Add(new Origin(host, IPAddress.TryParse(host, out var ip) ? ip : null, uri.Port, uri.IsDefaultPort));
            }
        }

        return new BackendOrigins([.. origins]);
    }

    /// <summary>
    /// Whether a URL's authority names a destination. The scheme is not compared: a backend that honours
    /// X-Forwarded-Proto writes <c>https://</c> in front of its own address. The port is: written out, it must be the
    /// destination's; left out, the destination's must have been left out too (the Host header YARP sent had none) or be
    /// the default of the URL's scheme.
    /// </summary>
    public bool Matches(ReadOnlySpan<char> host, int? port, int defaultPortOfScheme)
    {
        foreach (var origin in _origins)
        {
            var portMatches = port is { } explicitPort ? explicitPort == origin.Port : origin.PortWasDefault || origin.Port == defaultPortOfScheme;
            if (portMatches && SameHost(origin, host))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a cookie Domain attribute (leading dot ignored, RFC 6265 §5.2.3) names a destination's host.</summary>
    public bool MatchesHost(ReadOnlySpan<char> domain)
    {
        domain = domain.Trim();
        if (domain.StartsWith('.'))
        {
            domain = domain[1..];
        }

        foreach (var origin in _origins)
        {
            if (SameHost(origin, domain))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameHost(Origin origin, ReadOnlySpan<char> host)
    {
        host = Unbracket(host);
        if (host.Equals(origin.Host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // The same IPv6 address can be written several ways ([::1], [0:0:0:0:0:0:0:1]).
        return origin.Address is { } address && host.Contains(':') && IPAddress.TryParse(host, out var other) && other.Equals(address);
    }

    private static string Unbracket(string host) => host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;

    private static ReadOnlySpan<char> Unbracket(ReadOnlySpan<char> host) => host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;

    private sealed record Origin(string Host, IPAddress? Address, int Port, bool PortWasDefault);
}
