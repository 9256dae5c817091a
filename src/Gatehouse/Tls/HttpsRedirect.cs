namespace Gatehouse.Tls;

/// <summary>
/// Where a plain-HTTP request for a host that has HTTPS is sent, and with which status. Like Caddy: 308 keeps the method
/// and body of non-GET/HEAD requests; 301 for GET and HEAD, which every client understands.
/// </summary>
public static class HttpsRedirect
{
    public static int Status(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? StatusCodes.Status301MovedPermanently : StatusCodes.Status308PermanentRedirect;

    /// <summary>
    /// The https URL for a request: the host without the plain listener's port, the HTTPS listener's port (left out when
    /// 443), the path and query unchanged.
    /// </summary>
    public static string Target(string host, int httpsPort, string pathAndQuery)
    {
        var name = HostWithoutPort(host);
        if (name.Contains(':', StringComparison.Ordinal) && !name.StartsWith('['))
        {
            name = $"[{name}]";
        }

        var authority = httpsPort == 443 ? name : $"{name}:{httpsPort}";
        return $"https://{authority}{(pathAndQuery.StartsWith('/') ? pathAndQuery : "/" + pathAndQuery)}";
    }

    /// <summary><c>example.com:8080</c> → <c>example.com</c>; <c>[::1]:8080</c> → <c>[::1]</c>.</summary>
    public static string HostWithoutPort(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host[..(end + 1)] : host;
        }

        var colon = host.LastIndexOf(':');
        return colon >= 0 && host.IndexOf(':', StringComparison.Ordinal) == colon ? host[..colon] : host;
    }
}
