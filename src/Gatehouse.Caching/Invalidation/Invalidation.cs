using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>Which stored responses an unsafe request invalidates: RFC 9111 §4.4.</summary>
public static class Invalidation
{
    /// <summary>
    /// The URIs whose stored responses to invalidate after a response to <paramref name="method"/>: none for a safe
    /// method or an error status; otherwise the target URI (MUST, for any method not known to be safe) and the
    /// Location and Content-Location URIs, resolved against the target URI, when they have the same origin — scheme,
    /// host and port (RFC 9110 §4.3.1) — as the target (MAY, and MUST NOT for another origin, against denial of service).
    /// A non-error response is a 2xx or 3xx.
    /// </summary>
    public static IReadOnlyList<Uri> Targets(string method, int statusCode, Uri targetUri, IHeaderDictionary responseHeaders)
    {
        if (IsSafe(method) || statusCode is < 200 or > 399)
        {
            return [];
        }
        var targets = new List<Uri> { targetUri };
        foreach (var name in new[] { HeaderNames.Location, HeaderNames.ContentLocation })
        {
            var field = responseHeaders[name];
            if (field.Count == 1 && Uri.TryCreate(targetUri, field[0]?.Trim(), out var uri) && SameOrigin(uri, targetUri)
                && !targets.Contains(uri))
            {
                targets.Add(uri);
            }
        }
        return targets;
    }

    /// <summary>GET, HEAD, OPTIONS and TRACE are safe (RFC 9110 §9.2.1); any other method, known or not, is not.</summary>
    public static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool SameOrigin(Uri a, Uri b) =>
        a.IsAbsoluteUri && b.IsAbsoluteUri
        && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
