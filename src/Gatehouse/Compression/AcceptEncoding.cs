using Microsoft.Extensions.Primitives;

namespace Gatehouse.Compression;

/// <summary>What the client's Accept-Encoding allows: the coding to send, or none.</summary>
/// <param name="Coding">The coding to apply; null to send the representation as it is (identity).</param>
/// <param name="IdentityRefused">The client excluded identity (<c>identity;q=0</c>, or <c>*;q=0</c> without identity).</param>
public readonly record struct EncodingChoice(ContentCoding? Coding, bool IdentityRefused);

/// <summary>
/// Content negotiation on Accept-Encoding (RFC 9110 §12.5.3), pure. The client's weights decide; among codings of the same
/// weight the server's preference does. A coding the header does not name is acceptable only through <c>*</c>;
/// identity is acceptable unless excluded. No header at all means the client said nothing: identity, as nginx and Caddy
/// do (§12.5.3 allows any coding, but a client that sends no Accept-Encoding rarely decodes one).
/// </summary>
public static class AcceptEncoding
{
    private const int Unset = -1;

    public static EncodingChoice Choose(StringValues header, IReadOnlyList<ContentCoding> preference)
    {
        if (header.Count == 0)
        {
            return new(null, false);
        }

        Span<int> weights = stackalloc int[3];
        weights.Fill(Unset);
        var identity = Unset;
        var any = Unset;
        foreach (var value in header)
        {
            if (value is null)
            {
                continue;
            }
            foreach (var range in value.AsSpan().Split(','))
            {
                var member = value.AsSpan()[range];
                if (!TryParseMember(member, out var name, out var weight))
                {
                    continue; // a malformed member says nothing; the others still count
                }
                if (name.SequenceEqual("*"))
                {
                    any = Math.Max(any, weight);
                }
                else if (name.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    identity = Math.Max(identity, weight);
                }
                else if (ContentCodings.TryParse(name, out var coding))
                {
                    weights[(int)coding] = Math.Max(weights[(int)coding], weight);
                }
            }
        }

        ContentCoding? best = null;
        var bestWeight = 0;
        foreach (var coding in preference)
        {
            var weight = weights[(int)coding] != Unset ? weights[(int)coding] : any != Unset ? any : 0;
            if (weight > bestWeight)
            {
                best = coding;
                bestWeight = weight;
            }
        }
        var identityWeight = identity != Unset ? identity : any != Unset && any == 0 ? 0 : 1000;
        // A client that weighs identity above every coding Gatehouse has asked for the representation as it is.
        if (best is not null && identity != Unset && identityWeight > bestWeight)
        {
            best = null;
        }
        return new(best, best is null && identityWeight == 0);
    }

    /// <summary>One list member: <c>coding [ OWS ";" OWS "q=" qvalue ]</c> (§12.4.2, §12.5.3); weights are in thousandths.</summary>
    internal static bool TryParseMember(ReadOnlySpan<char> member, out ReadOnlySpan<char> name, out int weight)
    {
        weight = 1000;
        var semicolon = member.IndexOf(';');
        name = (semicolon < 0 ? member : member[..semicolon]).Trim(" \t");
        if (name.IsEmpty || !IsToken(name))
        {
            return false;
        }
        if (semicolon < 0)
        {
            return true;
        }
        foreach (var range in member[(semicolon + 1)..].Split(';'))
        {
            var parameter = member[(semicolon + 1)..][range].Trim(" \t");
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].TrimEnd(" \t").Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                return false; // Accept-Encoding defines no other parameter
            }
            if (!TryParseQValue(parameter[(equals + 1)..].TrimStart(" \t"), out weight))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )</c> (§12.4.2), in thousandths.</summary>
    internal static bool TryParseQValue(ReadOnlySpan<char> text, out int thousandths)
    {
        thousandths = 0;
        if (text.IsEmpty || text.Length > 5 || (text[0] != '0' && text[0] != '1'))
        {
            return false;
        }
        var whole = text[0] - '0';
        if (text.Length == 1)
        {
            thousandths = whole * 1000;
            return true;
        }
        if (text[1] != '.')
        {
            return false;
        }
        var fraction = 0;
        var scale = 100;
        foreach (var c in text[2..])
        {
            if (c is < '0' or > '9' || (whole == 1 && c != '0'))
            {
                return false;
            }
            fraction += (c - '0') * scale;
            scale /= 10;
        }
        thousandths = whole * 1000 + fraction;
        return true;
    }

    private static bool IsToken(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".Contains(c))
            {
                return false;
            }
        }
        return true;
    }
}
