using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>
/// The primary cache key (RFC 9111 §2, §4): the target URI, normalised, plus the request headers and cookies a route
/// adds. The method is not part of it: only GET responses are stored and HEAD is answered from them, so both share a
/// key. Vary's secondary key (<see cref="VaryKey"/>) comes on top.
/// </summary>
/// <param name="Target">
/// <c>scheme://host[:port]/path[?query]</c>: scheme and host lower-cased, the scheme's default port dropped, the path
/// as escaped by <see cref="PathString.ToUriComponent"/>, the query as received (empty query dropped) unless the options
/// filter or sort it. Invalidation (§4.4) removes every key with a given target.
/// </param>
/// <param name="Variation">
/// The added request fields, space separated, as <c>header:name=value</c> or <c>cookie:name=value</c> with the value
/// percent-encoded; <c>header:name</c> alone when the field is absent, which differs from an empty value. Empty when the
/// route adds nothing.
/// </param>
public sealed record CacheKey(string Target, string Variation)
{
    /// <summary>The key of a request.</summary>
    public static CacheKey ForRequest(string scheme, HostString host, PathString path, QueryString query, IHeaderDictionary requestHeaders, CacheKeyOptions options)
    {
        var target = CacheKeyTarget.Build(scheme, host, path, query.Value, options);
        return new CacheKey(target, AddedFields(requestHeaders, options));
    }

    /// <summary>The <see cref="Target"/> an absolute URI has under <paramref name="options"/>, e.g. to invalidate it.</summary>
    public static string TargetOf(Uri uri, CacheKeyOptions options) =>
        CacheKeyTarget.Build(uri.Scheme, HostString.FromUriComponent(uri), PathString.FromUriComponent(uri), uri.Query, options);

    /// <summary>The whole key: the target, then the variation if any.</summary>
    public override string ToString() => Variation.Length == 0 ? Target : Target + " " + Variation;

    private static string AddedFields(IHeaderDictionary requestHeaders, CacheKeyOptions options)
    {
        if (options.Headers.Count == 0 && options.Cookies.Count == 0)
        {
            return "";
        }
        var text = new StringBuilder();
        foreach (var name in options.Headers)
        {
            var value = requestHeaders.TryGetValue(name, out var field) ? string.Join(", ", FieldList.Members(field)) : null;
            Append(text, "header:", name.ToLowerInvariant(), value);
        }
        if (options.Cookies.Count > 0)
        {
            var cookies = Cookies(requestHeaders);
            foreach (var name in options.Cookies)
            {
                Append(text, "cookie:", name, cookies.TryGetValue(name, out var value) ? value : null);
            }
        }
        return text.ToString();
    }

    private static void Append(StringBuilder text, string kind, string name, string? value)
    {
        if (text.Length > 0)
        {
            text.Append(' ');
        }
        text.Append(kind).Append(Uri.EscapeDataString(name));
        if (value is not null)
        {
            text.Append('=').Append(Uri.EscapeDataString(value));
        }
    }

    /// <summary>Cookie pairs (RFC 6265 §5.4) over all Cookie lines; the first of a repeated name wins.</summary>
    private static Dictionary<string, string> Cookies(IHeaderDictionary requestHeaders)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in requestHeaders[HeaderNames.Cookie])
        {
            foreach (var pair in (line ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    cookies.TryAdd(pair[..equals].Trim(), pair[(equals + 1)..].Trim());
                }
            }
        }
        return cookies;
    }
}
