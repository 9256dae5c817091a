using System.Globalization;
using System.Text;

namespace Gatehouse.Caching;

/// <summary>Keeps text within printable ASCII, as sf-strings (RFC 8941 §3.3.3) and cache keys need.</summary>
internal static class PrintableAscii
{
    /// <summary>Percent-encodes (as UTF-8) every character outside <c>!</c>…<c>~</c>, and space too unless <paramref name="keepSpace"/>.</summary>
    public static string Escape(string text, bool keepSpace)
    {
        if (AllKept(text, keepSpace))
        {
            return text;
        }
        var escaped = new StringBuilder();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii && IsKept((char)rune.Value, keepSpace))
            {
                escaped.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    // A loop, not Enumerable.All: this runs for every cache lookup, and the lambda and the string's enumerator allocate.
    private static bool AllKept(string text, bool keepSpace)
    {
        foreach (var c in text)
        {
            if (!IsKept(c, keepSpace))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsKept(char c, bool keepSpace) => c is > ' ' and < (char)0x7F || (keepSpace && c == ' ');
}
