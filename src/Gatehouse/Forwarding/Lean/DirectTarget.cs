using System.Buffers;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>
/// The request target YARP's transformer gives the message by default (<see cref="RequestUtilities.MakeDestinationAddress"/>,
/// then HttpClient writes the Uri's PathAndQuery), made without a Uri in the usual case: a destination without a path,
/// a path of characters YARP leaves as they are and no dot segment or empty segment that a Uri could rewrite, and a
/// query of characters a Uri leaves as they are. Anything else goes through the Uri, exactly as on the message path.
/// </summary>
public static class DirectTarget
{
    /// <summary>The characters YARP does not percent-encode in a path (RFC 3986 pchar without pct-encoded, and "/").</summary>
    private static readonly SearchValues<char> PathChars =
        SearchValues.Create("!$&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    /// <summary>The characters of a query a Uri keeps as they are (RFC 3986 query characters; "%" is checked apart).</summary>
    private static readonly SearchValues<char> QueryChars =
        SearchValues.Create("!$&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    public static string For(string destinationPrefix, PathString path, QueryString query)
    {
        if (IsPlain(destinationPrefix, path, query))
        {
            var value = path.Value is { Length: > 0 } p ? p : "/";
            return query.Value is { Length: > 0 } q ? string.Concat(value, q) : value;
        }

        return RequestUtilities.MakeDestinationAddress(destinationPrefix, path, query).PathAndQuery;
    }

    private static bool IsPlain(string destinationPrefix, PathString path, QueryString query)
    {
        // "http://authority" or "http://authority/": nothing of the prefix in the target.
        var authorityEnd = destinationPrefix.IndexOf('/', "http://".Length);
        if (authorityEnd >= 0 && authorityEnd != destinationPrefix.Length - 1)
        {
            return false;
        }

        if (destinationPrefix.AsSpan("http://".Length).IndexOfAny('?', '#') >= 0)
        {
            return false;
        }

        var pathValue = path.Value.AsSpan();
        if (pathValue.ContainsAnyExcept(PathChars) || pathValue.Contains("/.", StringComparison.Ordinal) || pathValue.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        var queryValue = query.Value.AsSpan();
        if (queryValue.IsEmpty)
        {
            return true;
        }

        if (queryValue[0] != '?')
        {
            return false;
        }

        // Percent-encoded octets are common in queries and a Uri keeps them as they are; a stray "%" it would encode.
        var rest = queryValue[1..];
        while (rest.IndexOfAnyExcept(QueryChars) is var at and >= 0)
        {
            if (rest[at] != '%' || at + 2 >= rest.Length || !char.IsAsciiHexDigit(rest[at + 1]) || !char.IsAsciiHexDigit(rest[at + 2]))
            {
                return false;
            }

            rest = rest[(at + 3)..];
        }

        return true;
    }
}
