namespace Gatehouse.Protection;

/// <summary>
/// Drops a Set-Cookie <c>Domain</c> attribute that names a backend host (<c>Domain=10.0.0.5</c>). A browser would
/// refuse such a cookie (the domain does not match the public host it talks to); without the attribute the cookie is a
/// host-only cookie of the public host, which is what the backend meant by "my own host". Setting the public host
/// instead would widen the cookie to its subdomains (RFC 6265 §4.1.2.3), so the attribute is dropped, not replaced.
/// </summary>
public static class CookieDomainRewriter
{
    /// <summary>The Set-Cookie value without its Domain attribute when that names a backend; otherwise the same instance.</summary>
    public static string Rewrite(string setCookie, BackendOrigins backends)
    {
        // Fast path: most cookies carry no Domain attribute at all.
        if (setCookie.AsSpan().IndexOf("domain", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return setCookie;
        }

        var span = setCookie.AsSpan();
        // The first ';' ends name=value (RFC 6265 §5.2); attributes follow, each up to the next ';'.
        var start = span.IndexOf(';');
        while (start >= 0)
        {
            var next = span[(start + 1)..].IndexOf(';');
            var end = next < 0 ? span.Length : start + 1 + next;
            var attribute = span[(start + 1)..end];
            var equals = attribute.IndexOf('=');
            if (equals >= 0 && attribute[..equals].Trim().Equals("domain", StringComparison.OrdinalIgnoreCase) && backends.MatchesHost(attribute[(equals + 1)..]))
            {
                // Remove "; Domain=…" (the ';' before the attribute with it) and look again: a cookie may repeat it.
                return Rewrite(string.Concat(span[..start], span[end..]), backends);
            }

            start = next < 0 ? -1 : end;
        }

        return setCookie;
    }
}
