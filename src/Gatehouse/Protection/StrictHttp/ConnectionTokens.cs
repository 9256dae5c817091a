namespace Gatehouse.Protection;

/// <summary>
/// Keeps the header names listed in a request's <c>Connection</c> visible to the forwarder. Kestrel parses Connection
/// for <c>keep-alive</c>, <c>close</c> and <c>upgrade</c>, and when exactly one of those is present it replaces the whole
/// value with that one token: <c>keep-alive, X-Foo</c> becomes <c>keep-alive</c>, and the proxy can no longer see that
/// X-Foo was hop-by-hop (RFC 9110 §7.6.1). This rewrites such a value, before Kestrel parses it, into one with the same
/// meaning for Kestrel that it does not collapse.
/// </summary>
public static class ConnectionTokens
{
    /// <summary>
    /// <c>close, X</c> gains <c>keep-alive</c>: with both, close wins in Kestrel. <c>keep-alive, X</c> loses its
    /// <c>keep-alive</c>, which HTTP/1.1 implies anyway (an HTTP/1.0 client that sends it with other names is closed
    /// after the response instead of kept alive). Anything else is returned as it is.
    /// </summary>
    public static string PreserveNamedHeaders(string value)
    {
        if (value.IndexOf(',', StringComparison.Ordinal) < 0)
        {
            return value;
        }

        var keepAlive = 0;
        var close = 0;
        var upgrade = 0;
        var others = 0;
        foreach (var range in value.AsSpan().Split(','))
        {
            var token = value.AsSpan(range).Trim(" \t");
            if (token.IsEmpty)
            {
                continue;
            }

            if (token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
            {
                keepAlive++;
            }
            else if (token.Equals("close", StringComparison.OrdinalIgnoreCase))
            {
                close++;
            }
            else if (token.Equals("upgrade", StringComparison.OrdinalIgnoreCase))
            {
                upgrade++;
            }
            else
            {
                others++;
            }
        }

        if (others == 0 || upgrade > 0)
        {
            // Nothing to lose, or an upgrade, whose extra names (HTTP2-Settings) the forwarder drops itself.
            return value;
        }

        if (close > 0)
        {
            return keepAlive > 0 ? value : value + ", keep-alive";
        }

        if (keepAlive == 0)
        {
            return value;
        }

        var kept = new List<string>(others);
        foreach (var range in value.AsSpan().Split(','))
        {
            var token = value.AsSpan(range).Trim(" \t");
            if (!token.IsEmpty && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(token.ToString());
            }
        }

        return string.Join(", ", kept);
    }
}
