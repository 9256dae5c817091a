using System.Globalization;
using System.Net;

namespace Gatehouse.Forwarding;

/// <summary>The request as CGI sees it: plain values, so that <see cref="CgiVariables.Build"/> is a pure function.</summary>
public sealed record CgiRequest(
    string Method,
    string RequestUri,
    string QueryString,
    string Protocol,
    bool IsHttps,
    IPAddress? RemoteAddress,
    int RemotePort,
    IPAddress? LocalAddress,
    int LocalPort,
    string Host,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    long? ContentLength);

/// <summary>
/// The CGI/1.1 variables (RFC 3875 §4.1) a FastCGI request carries, as nginx's fastcgi_params and Caddy's php_fastcgi
/// set them, request headers as <c>HTTP_*</c>. Never <c>HTTP_PROXY</c>: a client's <c>Proxy</c> header would become the
/// outgoing proxy of many CGI libraries (httpoxy, CVE-2016-5385). A header whose name holds <c>_</c> is left out too,
/// as it would pass for the dashed one (<c>X_User</c> and <c>X-User</c> both become <c>HTTP_X_USER</c>).
/// </summary>
public static class CgiVariables
{
    public const string ServerSoftware = "Gatehouse";

    public static List<KeyValuePair<string, string>> Build(CgiRequest request, FastCgiResolution script, string root, IReadOnlyList<KeyValuePair<string, string>> extra)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GATEWAY_INTERFACE"] = "CGI/1.1",
            ["SERVER_SOFTWARE"] = ServerSoftware,
            ["SERVER_PROTOCOL"] = request.Protocol,
            ["REQUEST_METHOD"] = request.Method,
            ["REQUEST_URI"] = request.RequestUri,
            ["QUERY_STRING"] = request.QueryString,
            ["DOCUMENT_ROOT"] = root,
            ["SCRIPT_FILENAME"] = root + script.ScriptName,
            ["SCRIPT_NAME"] = script.ScriptName,
            ["PATH_INFO"] = script.PathInfo,
            ["DOCUMENT_URI"] = script.ScriptName + script.PathInfo,
            ["REQUEST_SCHEME"] = request.IsHttps ? "https" : "http",
            ["REMOTE_ADDR"] = Text(request.RemoteAddress),
            ["REMOTE_PORT"] = request.RemotePort.ToString(CultureInfo.InvariantCulture),
            ["SERVER_ADDR"] = Text(request.LocalAddress),
            ["SERVER_PORT"] = request.LocalPort.ToString(CultureInfo.InvariantCulture),
            ["SERVER_NAME"] = HostName(request.Host),
            // PHP built with cgi.force_redirect wants it, as nginx's fastcgi_params sends it.
            ["REDIRECT_STATUS"] = "200",
            ["CONTENT_TYPE"] = "",
            ["CONTENT_LENGTH"] = request.ContentLength is { } length ? length.ToString(CultureInfo.InvariantCulture) : "",
        };
        if (script.PathInfo.Length > 0)
        {
            variables["PATH_TRANSLATED"] = root + script.PathInfo;
        }

        if (request.IsHttps)
        {
            variables["HTTPS"] = "on";
        }

        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                variables["CONTENT_TYPE"] = value;
                continue;
            }

            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy", StringComparison.OrdinalIgnoreCase)
                || name.Contains('_', StringComparison.Ordinal) || name.Length == 0 || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
            {
                continue;
            }

            var key = "HTTP_" + name.ToUpperInvariant().Replace('-', '_');
            variables[key] = variables.TryGetValue(key, out var earlier)
                ? earlier + (key == "HTTP_COOKIE" ? "; " : ", ") + value
                : value;
        }

        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return variables.ToList();
    }

    /// <summary>The host without its port: <c>example.com:8080</c> → <c>example.com</c>, <c>[::1]:80</c> → <c>[::1]</c>.</summary>
    public static string HostName(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? host : host[..(close + 1)];
        }

        var colon = host.LastIndexOf(':');
        return colon < 0 ? host : host[..colon];
    }

    private static string Text(IPAddress? address) =>
        address is null ? "" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
