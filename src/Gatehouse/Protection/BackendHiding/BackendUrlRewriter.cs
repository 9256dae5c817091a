namespace Gatehouse.Protection;

/// <summary>
/// Rewrites URLs that a backend wrote with its own address (in Location, Content-Location and Refresh) so that they
/// point at the public host and scheme the client used. Only the scheme and authority change; the path, query and
/// fragment stay as the backend wrote them. Pure functions: each returns its input unchanged (the same instance) when
/// there is nothing to rewrite.
/// </summary>
public static class BackendUrlRewriter
{
    /// <summary>
    /// A URI-reference as in Location or Content-Location (RFC 9110 §10.2.2, §8.7). An absolute (<c>http://10.0.0.5:8080/x</c>)
    /// or scheme-relative (<c>//10.0.0.5:8080/x</c>) reference to a destination becomes
    /// <c>{publicScheme}://{publicHost}/x</c>; without a public host (an HTTP/1.0 request without Host) it becomes the
    /// relative reference <c>/x</c>.
    /// </summary>
    public static string RewriteUrl(string url, BackendOrigins backends, string publicScheme, string? publicHost)
    {
        var span = url.AsSpan().Trim();
        int authorityStart;
        int defaultPort;
        if (span.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            authorityStart = 7;
            defaultPort = 80;
        }
        else if (span.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            authorityStart = 8;
            defaultPort = 443;
        }
        else if (span.StartsWith("//", StringComparison.Ordinal))
        {
            // Scheme-relative: the scheme the backend was reached with, whose default port is unknown here.
            authorityStart = 2;
            defaultPort = -1;
        }
        else
        {
            return url;
        }

        var afterScheme = span[authorityStart..];
        var authorityLength = afterScheme.IndexOfAny('/', '?', '#');
        if (authorityLength < 0)
        {
            authorityLength = afterScheme.Length;
        }

        var authority = afterScheme[..authorityLength];
        var rest = afterScheme[authorityLength..];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (!TrySplitAuthority(authority, out var host, out var port) || !backends.Matches(host, port, defaultPort))
        {
            return url;
        }

        if (string.IsNullOrEmpty(publicHost))
        {
            return rest.IsEmpty ? "/" : rest[0] == '/' ? rest.ToString() : string.Concat("/", rest);
        }

        return string.Concat(publicScheme, "://", publicHost, rest);
    }

    /// <summary>
    /// A Refresh header (<c>5; url=http://10.0.0.5:8080/next</c>), as browsers read it: a delay, then <c>;</c> or <c>,</c>,
    /// then an optional <c>url=</c> and a URL, possibly quoted. Only the URL is rewritten.
    /// </summary>
    public static string RewriteRefresh(string value, BackendOrigins backends, string publicScheme, string? publicHost)
    {
        var span = value.AsSpan();
        var i = 0;
        while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.' || span[i] == ' ' || span[i] == '\t'))
        {
            i++;
        }

        if (i == span.Length || (span[i] != ';' && span[i] != ','))
        {
            return value;
        }

        i++;
        i = SkipSpaces(span, i);
        if (span.Length - i >= 3 && span.Slice(i, 3).Equals("url", StringComparison.OrdinalIgnoreCase))
        {
            var afterName = SkipSpaces(span, i + 3);
            if (afterName < span.Length && span[afterName] == '=')
            {
                i = SkipSpaces(span, afterName + 1);
            }
        }

        var end = span.Length;
        if (i < span.Length && (span[i] == '"' || span[i] == '\''))
        {
            var quote = span[i];
            i++;
            var close = span[i..].IndexOf(quote);
            end = close < 0 ? span.Length : i + close;
        }

        var url = value[i..end];
        var rewritten = RewriteUrl(url, backends, publicScheme, publicHost);
        return ReferenceEquals(rewritten, url) ? value : string.Concat(span[..i], rewritten, span[end..]);
    }

    private static int SkipSpaces(ReadOnlySpan<char> span, int i)
    {
        while (i < span.Length && (span[i] == ' ' || span[i] == '\t'))
        {
            i++;
        }

        return i;
    }

    /// <summary><c>host</c>, <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c>; port null when not written.</summary>
    private static bool TrySplitAuthority(ReadOnlySpan<char> authority, out ReadOnlySpan<char> host, out int? port)
    {
        port = null;
        var portStart = -1;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                host = default;
                return false;
            }

            host = authority[..(close + 1)];
            if (close + 1 < authority.Length)
            {
                if (authority[close + 1] != ':')
                {
                    return false;
                }

                portStart = close + 2;
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portStart = colon < 0 ? -1 : colon + 1;
        }

        if (portStart >= 0 && portStart < authority.Length)
        {
            if (!int.TryParse(authority[portStart..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return false;
            }

            port = parsed;
        }

        return !host.IsEmpty;
    }
}
