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
        var start = 0;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
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
            else if (c == ',')
            {
                Add(line.AsSpan(start, i - start), members);
                start = i + 1;
            }
        }
        Add(line.AsSpan(start), members);
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
