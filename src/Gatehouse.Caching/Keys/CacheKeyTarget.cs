using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching;

/// <summary>Builds the normalised target URI part of a <see cref="CacheKey"/>.</summary>
internal static class CacheKeyTarget
{
    public static string Build(string scheme, HostString host, PathString path, string? query, CacheKeyOptions options)
    {
        scheme = scheme.ToLowerInvariant();
        var escapedPath = path.ToUriComponent();
        var normalisedQuery = Query(query, options);
        // One string built, not a StringBuilder's chunks: this runs for every lookup.
        return string.Concat(
            scheme,
            "://",
            Authority(scheme, host),
            escapedPath.Length == 0 ? "/" : escapedPath,
            normalisedQuery.Length > 0 ? "?" : "",
            normalisedQuery);
    }

    private static string Authority(string scheme, HostString host)
    {
        var defaultPort = scheme switch
        {
            "http" => 80,
            "https" => 443,
            _ => (int?)null,
        };
        if (IsNormalised(host.Value) && host.Port != defaultPort)
        {
            return host.Value!; // what the steps below would give, without their three strings
        }
        var name = host.Host.ToLowerInvariant();
        if (host.Port is { } port && port != defaultPort)
        {
            name += ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        // HostString.ToUriComponent gives an IDN host in punycode and keeps IPv6 brackets.
        return new HostString(name).ToUriComponent();
    }

    /// <summary>
    /// A lower-case ASCII name or IPv4 address (letters, digits, '.', '-'), then optionally ':' and a port without
    /// leading zeros: the normalisation below changes nothing in it but a default port.
    /// </summary>
    private static bool IsNormalised(string? authority)
    {
        if (string.IsNullOrEmpty(authority))
        {
            return false;
        }
        var colon = authority.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? authority.AsSpan() : authority.AsSpan(0, colon);
        if (name.IsEmpty || name.ContainsAnyExcept(NameChars))
        {
            return false;
        }
        if (colon < 0)
        {
            return true;
        }
        var port = authority.AsSpan(colon + 1);
        return port.Length is > 0 and <= 5 && port[0] != '0' && !port.ContainsAnyExceptInRange('0', '9');
    }

    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");

    private static string Query(string? query, CacheKeyOptions options)
    {
        var raw = (query ?? "").TrimStart('?');
        if (raw.Length == 0 || (options.IgnoredQueryParameters.Count == 0 && !options.SortQueryParameters))
        {
            return PrintableAscii.Escape(raw, keepSpace: false);
        }
        return FilteredQuery(raw, options);
    }

    // Apart from Query: its lambdas capture options, and the closure would be allocated for every query otherwise.
    private static string FilteredQuery(string raw, CacheKeyOptions options)
    {
        var parameters = raw.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(parameter => !IsIgnored(Name(parameter), options.IgnoredQueryParameters));
        if (options.SortQueryParameters)
        {
            parameters = parameters.OrderBy(Name, StringComparer.Ordinal); // stable: repeated names keep their order
        }
        // Keeps the key printable ASCII, as it can travel in Cache-Status.
        return PrintableAscii.Escape(string.Join('&', parameters), keepSpace: false);
    }

    private static string Name(string parameter)
    {
        var equals = parameter.IndexOf('=', StringComparison.Ordinal);
        return Uri.UnescapeDataString(equals < 0 ? parameter : parameter[..equals]);
    }

    private static bool IsIgnored(string name, IReadOnlyList<string> ignored)
    {
        foreach (var pattern in ignored)
        {
            var matches = pattern.EndsWith('*')
                ? name.StartsWith(pattern[..^1], StringComparison.Ordinal)
                : name == pattern;
            if (matches)
            {
                return true;
            }
        }
        return false;
    }
}
