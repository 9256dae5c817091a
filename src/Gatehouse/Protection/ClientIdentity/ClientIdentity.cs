using System.Net;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Protection;

/// <summary>
/// Who the client is when the request came through trusted proxies: the address found by walking the forwarding chain
/// from the right, skipping trusted hops (nginx's <c>real_ip_recursive on</c>), and the scheme and host the client used.
/// Set as a request feature only when the direct peer is a trusted proxy.
/// </summary>
public sealed record ClientIdentity(IPAddress ClientIp, IPAddress Peer, string? Proto, string? Host, string ForwardedFor);

/// <summary>Pure resolution of <see cref="ClientIdentity"/> from the peer address and the forwarding headers.</summary>
public static class ClientIdentityResolver
{
    /// <summary>
    /// Resolves the client behind a trusted <paramref name="peer"/>. RFC 7239 <c>Forwarded</c> is read when present,
    /// else <c>X-Forwarded-For</c> with <c>X-Forwarded-Proto</c>/<c>-Host</c> aligned to it from the right. An entry that
    /// is not an address (<c>unknown</c>, an obfuscated node, garbage) ends the walk at the hop that reported it.
    /// </summary>
    public static ClientIdentity Resolve(IPAddress peer, IpNetworkList trusted, StringValues forwarded, StringValues forwardedFor, StringValues forwardedProto, StringValues forwardedHost)
    {
        peer = IpNetworkList.Normalize(peer);
        var chain = new List<string> { peer.ToString() };
        var current = peer;
        string? proto = null;
        string? host = null;
        if (!StringValues.IsNullOrEmpty(forwarded))
        {
            var elements = ForwardedElements(forwarded);
            for (var i = elements.Count - 1; i >= 0 && trusted.Contains(current); i--)
            {
                var element = elements[i];
                if (ParseNode(element.For) is not { } address)
                {
                    break;
                }

                current = address;
                chain.Insert(0, address.ToString());
                proto = element.Proto ?? proto;
                host = element.Host ?? host;
            }

            return new ClientIdentity(current, peer, proto, host, string.Join(", ", chain));
        }

        var entries = List(forwardedFor);
        var depth = 0;
        for (var i = entries.Count - 1; i >= 0 && trusted.Contains(current); i--)
        {
            if (ParseNode(entries[i]) is not { } address)
            {
                break;
            }

            current = address;
            chain.Insert(0, address.ToString());
            depth++;
        }

        return new ClientIdentity(current, peer, Aligned(List(forwardedProto), depth), Aligned(List(forwardedHost), depth), string.Join(", ", chain));
    }

    /// <summary>The value at the deepest hop consumed, counting from the right; the leftmost when the list is shorter.</summary>
    private static string? Aligned(List<string> values, int depth) =>
        values.Count == 0 ? null : values[Math.Max(values.Count - Math.Max(depth, 1), 0)];

    private static List<string> List(StringValues values)
    {
        var list = new List<string>();
        foreach (var value in values)
        {
            foreach (var item in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                list.Add(item);
            }
        }

        return list;
    }

    /// <summary>An address from an X-Forwarded-For entry or a Forwarded <c>for</c> node: <c>1.2.3.4</c>, <c>1.2.3.4:80</c>, <c>[::1]:80</c>, <c>::1</c>.</summary>
    public static IPAddress? ParseNode(string? node)
    {
        if (string.IsNullOrEmpty(node))
        {
            return null;
        }

        var text = node.AsSpan().Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                return null;
            }

            text = text[1..close];
        }
        else if (text.IndexOf(':') is var colon and > 0 && text.LastIndexOf(':') == colon)
        {
            // One colon: IPv4 with a port. More than one: a bare IPv6 address.
            text = text[..colon];
        }

        return IPAddress.TryParse(text, out var address) ? IpNetworkList.Normalize(address) : null;
    }

    internal readonly record struct ForwardedElement(string? For, string? Proto, string? Host);

    /// <summary>RFC 7239 §4: <c>Forwarded: for=192.0.2.60;proto=http;host=a.example, for="[2001:db8::1]:4711"</c>.</summary>
    internal static List<ForwardedElement> ForwardedElements(StringValues values)
    {
        var elements = new List<ForwardedElement>();
        foreach (var value in values)
        {
            foreach (var element in SplitOutsideQuotes(value ?? "", ','))
            {
                string? forNode = null, proto = null, host = null;
                foreach (var pair in SplitOutsideQuotes(element, ';'))
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        continue;
                    }

                    var name = pair[..equals].Trim();
                    var content = Unquote(pair[(equals + 1)..].Trim());
                    if (name.Equals("for", StringComparison.OrdinalIgnoreCase))
                    {
                        forNode = content;
                    }
                    else if (name.Equals("proto", StringComparison.OrdinalIgnoreCase))
                    {
                        proto = content;
                    }
                    else if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
                    {
                        host = content;
                    }
                }

                elements.Add(new ForwardedElement(forNode, proto, host));
            }
        }

        return elements;
    }

    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length);
        for (var i = 1; i < value.Length - 1; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length - 1)
            {
                i++;
            }

            builder.Append(value[i]);
        }

        return builder.ToString();
    }

    private static IEnumerable<string> SplitOutsideQuotes(string text, char separator)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && quoted)
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == separator && !quoted)
            {
                if (text.AsSpan(start, i - start).Trim().Length > 0)
                {
                    yield return text[start..i].Trim();
                }

                start = i + 1;
            }
        }

        if (text.AsSpan(start).Trim().Length > 0)
        {
            yield return text[start..].Trim();
        }
    }
}
