using System.Text;

namespace Gatehouse.Caching;

/// <summary>
/// One member of a weighted list such as Accept-Encoding (RFC 9110 §12.4.2), in a canonical spelling: the value (with
/// its parameters) and the weight in thousandths. The weight is written only when it is not 1, so <c>gzip;q=1.0</c>
/// and <c>gzip</c> are the same member; a weight of 0 ("not acceptable") is kept as <c>;q=0</c>, so it never
/// becomes equal to the member's absence. <see cref="Extensions"/> are Accept's parameters after the weight
/// (accept-ext), written after it.
/// </summary>
internal readonly record struct WeightedMember(string Value, int Thousandths, string Extensions = "")
{
    /// <summary>
    /// A token with an optional weight (<c>gzip;q=0.5</c>, <c>en-GB</c>, <c>*</c>), lower-cased. Null when it has other
    /// parameters or an invalid weight.
    /// </summary>
    public static WeightedMember? CaseInsensitiveToken(string member)
    {
        var parts = SplitParameters(member);
        if (parts is null || !IsToken(parts[0]))
        {
            return null;
        }
        var thousandths = 1000;
        if (parts.Count == 2 && !TryWeight(parts[1], out thousandths))
        {
            return null;
        }
        return parts.Count > 2 ? null : new WeightedMember(parts[0].ToLowerInvariant(), thousandths);
    }

    /// <summary>
    /// A media range with parameters and an optional weight (RFC 9110 §12.5.1): type, subtype and parameter names
    /// lower-cased, parameter values kept, the parameters after the weight (accept-ext) kept after it. Null when a
    /// part is not of that shape.
    /// </summary>
    public static WeightedMember? MediaRange(string member)
    {
        var parts = SplitParameters(member);
        if (parts is null)
        {
            return null;
        }
        var slash = parts[0].IndexOf('/');
        if (slash <= 0 || !IsToken(parts[0][..slash]) || !IsToken(parts[0][(slash + 1)..]))
        {
            return null;
        }
        var value = new StringBuilder(parts[0].ToLowerInvariant());
        var thousandths = 1000;
        var extensions = new StringBuilder();
        var afterWeight = false;
        for (var i = 1; i < parts.Count; i++)
        {
            var equals = parts[i].IndexOf('=');
            if (equals <= 0 || !IsToken(parts[i][..equals]))
            {
                return null;
            }
            if (!afterWeight && parts[i][..equals].Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryWeight(parts[i], out thousandths))
                {
                    return null;
                }
                afterWeight = true;
                continue;
            }
            var target = afterWeight ? extensions : value;
            target.Append(';').Append(parts[i][..equals].ToLowerInvariant()).Append('=').Append(parts[i][(equals + 1)..]);
        }
        return new WeightedMember(value.ToString(), thousandths, extensions.ToString());
    }

    // With extensions the weight is written even when it is 1: they are told apart from media type parameters by it.
    public override string ToString() =>
        Thousandths == 1000 && Extensions.Length == 0 ? Value : Value + ";q=" + Weight(Thousandths) + Extensions;

    private static string Weight(int thousandths) => thousandths switch
    {
        1000 => "1",
        0 => "0",
        _ => "0." + (thousandths.ToString("000", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0')),
    };

    /// <summary>RFC 9110 §12.4.2: <c>q=</c> ("0" ["." 0*3DIGIT]) / ("1" ["." 0*3"0"]), the name without case.</summary>
    private static bool TryWeight(string parameter, out int thousandths)
    {
        thousandths = 0;
        if (parameter.Length < 3 || parameter[0] is not ('q' or 'Q') || parameter[1] != '=')
        {
            return false;
        }
        var number = parameter.AsSpan(2);
        if (number.Length > 5 || number[0] is not ('0' or '1') || (number.Length > 1 && number[1] != '.'))
        {
            return false;
        }
        var fraction = number.Length > 2 ? number[2..] : [];
        var value = 0;
        for (var i = 0; i < 3; i++)
        {
            var c = i < fraction.Length ? fraction[i] : '0';
            if (c is < '0' or > '9')
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        thousandths = (number[0] - '0') * 1000 + value;
        return thousandths <= 1000;
    }

    /// <summary>The member's value and each parameter, trimmed of whitespace around ";" and "=". Null on an empty part.</summary>
    private static List<string>? SplitParameters(string member)
    {
        var parts = new List<string>();
        var unterminated = false;
        for (var start = 0; start <= member.Length;)
        {
            var end = FieldList.NextSeparator(member, start, ';', out unterminated);
            var part = member[start..end].Trim(' ', '\t');
            var equals = part.IndexOf('=');
            if (equals > 0 && part[0] != '"')
            {
                part = part[..equals].TrimEnd(' ', '\t') + "=" + part[(equals + 1)..].TrimStart(' ', '\t');
            }
            if (part.Length == 0)
            {
                return null;
            }
            parts.Add(part);
            start = end + 1;
        }
        return unterminated ? null : parts;
    }

    private static bool IsToken(string text) => HttpToken.IsToken(text);
}
