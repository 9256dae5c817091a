using Gatehouse.Caching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// Vary (RFC 9111 §4.1): the first LF-separated line is the response's Vary, the others "name: value" request field
/// lines (a name repeated is several lines of one field). The key is the same however the Vary members are ordered,
/// spelled in case or repeated, and the same on a second computation; "*" never yields a key.
/// </summary>
public static class VaryTarget
{
    public static void Run(byte[] data)
    {
        var lines = FieldText.Of(data).Split('\n');
        var vary = lines[0];
        var headers = new HeaderDictionary();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = (colon < 0 ? line : line[..colon]).Trim();
            if (name.Length == 0)
            {
                continue;
            }

            var value = colon < 0 ? "" : line[(colon + 1)..];
            headers[name] = StringValues.Concat(headers[name], value);
        }

        var computed = VaryKey.TryCompute(vary, headers, out var key);
        FindingException.Unless(computed != VaryKey.VariesOnEverything(vary), "TryCompute and VariesOnEverything disagree on '*'");
        FindingException.Unless(VaryKey.TryCompute(vary, headers, out var again) == computed && again == key, "key not deterministic");
        if (!vary.Contains('"', StringComparison.Ordinal))
        {
            var members = vary.Split(',').Reverse().Select(AsciiUpper);
            var reordered = string.Join(",", members.Concat(members));
            FindingException.Unless(VaryKey.TryCompute(reordered, headers, out var other) == computed && other == key, $"reordered Vary '{reordered}' gives another key");
        }
    }

    /// <summary>Field names are ASCII tokens compared without case; other letters are not folded (µ is not μ).</summary>
    private static string AsciiUpper(string text) => string.Concat(text.Select(c => c is >= 'a' and <= 'z' ? (char)(c - 32) : c));
}
