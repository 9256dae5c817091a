using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching;

/// <summary>
/// Splits list-based field values (RFC 9110 §5.6.1): members separated by commas across all field lines, whitespace
/// around members dropped, empty members ignored, and commas inside quoted strings (§5.6.4) kept.
/// </summary>
internal static class FieldList
{
    public static List<string> Members(StringValues fieldLines)
    {
        var members = new List<string>();
        foreach (var line in fieldLines)
        {
            if (line is not null)
            {
                AddMembers(line, members);
            }
        }
        return members;
    }

    public static void AddMembers(string line, List<string> members)
    {
        for (var start = 0; start <= line.Length;)
        {
            var end = NextSeparator(line, start, ',', out _);
            Add(line.AsSpan(start, end - start), members);
            start = end + 1;
        }
    }

    /// <summary>
    /// The index of the next <paramref name="separator"/> at or after <paramref name="start"/> that is not inside a quoted
    /// string (RFC 9110 §5.6.4: a backslash escapes the next character there); the text's length when there is none,
    /// with <paramref name="unterminated"/> true when the text ends inside a quoted string.
    /// </summary>
    public static int NextSeparator(string text, int start, char separator, out bool unterminated)
    {
        var quoted = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == separator)
            {
                unterminated = false;
                return i;
            }
        }

        unterminated = quoted;
        return text.Length;
    }

    private static void Add(ReadOnlySpan<char> member, List<string> members)
    {
        member = member.Trim(" \t");
        if (!member.IsEmpty)
        {
            members.Add(member.ToString());
        }
    }
}
