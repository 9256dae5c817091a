using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching;

/// <summary>
/// One <c>cache-directive = token [ "=" ( token / quoted-string ) ]</c> (RFC 9111 §5.2). <see cref="Argument"/> is
/// null when there is none, and unquoted; <see cref="IsMalformed"/> marks an argument that could not be read.
/// </summary>
internal readonly record struct CacheDirective(string Name, string? Argument, bool IsMalformed)
{
    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads every directive of every field line, in order. Directive names are kept as sent and compared without
    /// regard to case (§5.2). An element without a token name is skipped; an element whose argument is broken
    /// (unterminated quote, "max-age=", "max-age=1 2") is kept and marked malformed, so that the caller can treat a
    /// broken freshness directive as "stale" (§4.2.1) instead of ignoring it. Whitespace around "=" is tolerated.
    /// </summary>
    public static List<CacheDirective> ParseAll(StringValues fieldLines)
    {
        var directives = new List<CacheDirective>();
        foreach (var line in fieldLines)
        {
            if (line is not null)
            {
                ParseLine(line, directives);
            }
        }
        return directives;
    }

    private static void ParseLine(string line, List<CacheDirective> directives)
    {
        var i = 0;
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t' or ',')
            {
                i++;
            }
            if (i >= line.Length)
            {
                return;
            }
            var nameStart = i;
            while (i < line.Length && HttpToken.IsTokenChar(line[i]))
            {
                i++;
            }
            if (i == nameStart)
            {
                i = SkipElement(line, i);
                continue;
            }
            var name = line[nameStart..i];
            string? argument = null;
            var malformed = false;
            var afterName = SkipWhitespace(line, i);
            if (afterName < line.Length && line[afterName] == '=')
            {
                i = SkipWhitespace(line, afterName + 1);
                if (i < line.Length && line[i] == '"')
                {
                    argument = ReadQuotedString(line, ref i, out malformed);
                }
                else
                {
                    var valueStart = i;
                    while (i < line.Length && HttpToken.IsTokenChar(line[i]))
                    {
                        i++;
                    }
                    argument = line[valueStart..i];
                    malformed = argument.Length == 0;
                }
            }
            i = SkipWhitespace(line, i);
            if (i < line.Length && line[i] != ',')
            {
                malformed = true;
                i = SkipElement(line, i);
            }
            directives.Add(new CacheDirective(name, malformed ? null : argument, malformed));
        }
    }

    private static string? ReadQuotedString(string line, ref int i, out bool malformed)
    {
        var value = new System.Text.StringBuilder();
        i++;
        while (i < line.Length)
        {
            var c = line[i++];
            if (c == '"')
            {
                malformed = false;
                return value.ToString();
            }
            if (c == '\\')
            {
                if (i >= line.Length)
                {
                    break;
                }
                c = line[i++];
            }
            value.Append(c);
        }
        malformed = true;
        return null;
    }

    private static int SkipWhitespace(string line, int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }
        return i;
    }

    /// <summary>Moves past the rest of a list element: to the next comma that is not inside a quoted string.</summary>
    private static int SkipElement(string line, int i)
    {
        var quoted = false;
        for (; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                return i;
            }
        }
        return i;
    }
}
