using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching;

/// <summary>Builds the normalised target URI part of a <see cref="CacheKey"/>.</summary>
internal static class CacheKeyTarget
{
    public static string Build(string scheme, HostString host, PathString path, string? query, CacheKeyOptions options)
    {
        scheme = scheme.ToLowerInvariant();
        var text = new StringBuilder(scheme).Append("://").Append(Authority(scheme, host));
        var escapedPath = path.ToUriComponent();
        text.Append(escapedPath.Length == 0 ? "/" : escapedPath);
        var normalisedQuery = Query(query, options);
        if (normalisedQuery.Length > 0)
        {
            text.Append('?').Append(normalisedQuery);
        }
        return text.ToString();
    }

    private static string Authority(string scheme, HostString host)
    {
        var name = host.Host.ToLowerInvariant();
        var defaultPort = scheme switch
        {
            "http" => 80,
            "https" => 443,
            _ => (int?)null,
        };
        if (host.Port is { } port && port != defaultPort)
        {
            name += ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        // HostString.ToUriComponent gives an IDN host in punycode and keeps IPv6 brackets.
        return new HostString(name).ToUriComponent();
    }

    private static string Query(string? query, CacheKeyOptions options)
    {
        var raw = (query ?? "").TrimStart('?');
        if (raw.Length == 0 || (options.IgnoredQueryParameters.Count == 0 && !options.SortQueryParameters))
        {
            return PrintableAscii.Escape(raw, keepSpace: false);
        }
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
