namespace Gatehouse.Http1;

/// <summary>chunk-size [ chunk-ext ] (RFC 9112 §7.1), its CRLF removed.</summary>
internal static class ChunkSizeLine
{
    /// <summary>
    /// The chunk size, or why the line is refused. The size is 1*HEXDIG and nothing else: no "0x", sign, space or "_",
    /// the forms that lenient parsers read differently. Extensions must match the grammar and are then ignored.
    /// </summary>
    public static string? TryParse(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        var i = 0;
        while (i < line.Length && HttpChars.HexValue(line[i]) is var digit and >= 0)
        {
            if (size > long.MaxValue >> 4)
            {
                return "a chunk size too large";
            }

            size = (size << 4) | (long)digit;
            i++;
        }

        if (i == 0)
        {
            return "a chunk size that is not 1*HEXDIG";
        }

        return TryParseExtensions(line[i..]);
    }

    /// <summary>chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ); chunk-ext-val = token / quoted-string.</summary>
    private static string? TryParseExtensions(ReadOnlySpan<byte> rest)
    {
        var i = 0;
        while (i < rest.Length)
        {
            i = SkipWhitespace(rest, i);
            if (i == rest.Length || rest[i] != (byte)';')
            {
                return "a chunk size followed by something other than an extension";
            }

            i = SkipWhitespace(rest, i + 1);
            var nameStart = i;
            i = SkipToken(rest, i);
            if (i == nameStart)
            {
                return "a chunk extension without a name";
            }

            var afterName = SkipWhitespace(rest, i);
            if (afterName == rest.Length || rest[afterName] != (byte)'=')
            {
                continue; // BWS before the next ";" is skipped by the loop; trailing BWS alone is refused there
            }

            i = SkipWhitespace(rest, afterName + 1);
            if (i < rest.Length && rest[i] == (byte)'"')
            {
                var error = SkipQuotedString(rest, ref i);
                if (error is not null)
                {
                    return error;
                }
            }
            else
            {
                var valueStart = i;
                i = SkipToken(rest, i);
                if (i == valueStart)
                {
                    return "a chunk extension with an empty or invalid value";
                }
            }
        }

        return null;
    }

    /// <summary>quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4), from the opening quote.</summary>
    private static string? SkipQuotedString(ReadOnlySpan<byte> span, ref int i)
    {
        i++;
        while (i < span.Length)
        {
            var b = span[i];
            if (b == (byte)'"')
            {
                i++;
                return null;
            }

            if (b == (byte)'\\')
            {
                i++;
                if (i == span.Length)
                {
                    break;
                }

                b = span[i];
            }

            // qdtext and the quoted octet are both field-value bytes (HTAB / SP / VCHAR / obs-text), minus what
            // the branches above took.
            if (!HttpChars.IsFieldValueChar(b))
            {
                return "a control character in a chunk extension";
            }

            i++;
        }

        return "an unterminated quoted string in a chunk extension";
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> span, int i)
    {
        while (i < span.Length && HttpChars.IsWhitespace(span[i]))
        {
            i++;
        }

        return i;
    }

    private static int SkipToken(ReadOnlySpan<byte> span, int i)
    {
        while (i < span.Length && HttpChars.IsTokenChar(span[i]))
        {
            i++;
        }

        return i;
    }
}
