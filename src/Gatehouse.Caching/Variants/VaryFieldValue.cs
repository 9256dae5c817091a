using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching;

/// <summary>
/// Normalises the value of one request field that a Vary names (RFC 9111 §4.1), so that requests that differ only in
/// ways the field's own specification gives no meaning to share a stored variant. The same function runs when a
/// response is stored (on the request that brought it) and when a variant is selected, so both sides agree.
/// </summary>
/// <remarks>
/// Fields Gatehouse knows are weighted lists (RFC 9110 §12.4.2): <c>Accept-Encoding</c>, <c>Accept-Charset</c>,
/// <c>Accept-Language</c> and <c>Accept</c>. Their members are read with <see cref="WeightedMember"/> (case of the
/// case-insensitive parts, whitespace, the weight's spelling); any member that does not parse leaves the whole value to
/// the generic rule, since guessing at its meaning could merge requests an origin tells apart. Every other field only
/// gets what RFC 9110 §5.3 allows for any field: its field lines are trimmed and combined with ", " in order.
/// </remarks>
internal static class VaryFieldValue
{
    /// <summary>The normalised value of <paramref name="fieldLines"/> of the field <paramref name="lowerCaseName"/>.</summary>
    public static string Normalise(string lowerCaseName, StringValues fieldLines) => lowerCaseName switch
    {
        // Content codings and charsets are case-insensitive tokens whose order expresses nothing: preference is by weight
        // alone, ties go to the server (RFC 9110 §12.5.2, §12.5.3), so the members are sorted.
        "accept-encoding" or "accept-charset" => WeightedList(fieldLines, WeightedMember.CaseInsensitiveToken, byValueToo: true),
        // Language ranges are case-insensitive (RFC 4647 §2.1), but among equal weights the order is the user's
        // preference (RFC 4647 §2.3), so only members of different weights are reordered (stable, highest first).
        "accept-language" => WeightedList(fieldLines, WeightedMember.CaseInsensitiveToken, byValueToo: false),
        // Media ranges: type, subtype and parameter names are case-insensitive (RFC 9110 §8.3.1), parameter values may
        // not be. Specificity and weight decide (§12.5.1); the order of equal weights is kept, as some origins use it.
        "accept" => WeightedList(fieldLines, WeightedMember.MediaRange, byValueToo: false),
        _ => CombinedLines(fieldLines),
    };

    /// <summary>RFC 9110 §5.3: lines trimmed of surrounding whitespace and joined with ", " in order; nothing more.</summary>
    public static string CombinedLines(StringValues fieldLines)
    {
        var parts = new List<string>(fieldLines.Count);
        foreach (var line in fieldLines)
        {
            var trimmed = line?.Trim(' ', '\t');
            if (!string.IsNullOrEmpty(trimmed))
            {
                parts.Add(trimmed);
            }
        }
        return string.Join(", ", parts);
    }

    private static string WeightedList(StringValues fieldLines, Func<string, WeightedMember?> parse, bool byValueToo)
    {
        var parsed = new List<WeightedMember>();
        foreach (var member in FieldList.Members(fieldLines))
        {
            if (parse(member) is not { } weighted)
            {
                return CombinedLines(fieldLines);
            }
            parsed.Add(weighted);
        }
        // OrderBy is stable: members of equal weight keep their order unless the value decides too.
        IEnumerable<WeightedMember> ordered = parsed.OrderByDescending(member => member.Thousandths);
        if (byValueToo)
        {
            ordered = ((IOrderedEnumerable<WeightedMember>)ordered).ThenBy(member => member.Value, StringComparer.Ordinal);
        }
        return string.Join(", ", ordered.Select(member => member.ToString()));
    }
}
