namespace Gatehouse.Http1;

/// <summary>One field line of a head or a trailer section (RFC 9112 §5), its CRLF already removed.</summary>
internal static class FieldLine
{
    /// <summary>Finds the name and the value of <paramref name="line"/>, or says why the line is refused.</summary>
    public static string? TryParse(ReadOnlySpan<byte> line, out Range name, out Range value)
    {
        name = default;
        value = default;

        // obs-fold (RFC 9112 §5.2): "A proxy or gateway that receives an obs-fold in a response message ... MUST either
        // discard the message and replace it with a 502 (Bad Gateway) response ... or replace each received obs-fold
        // with one or more SP octets". Unfolding is where two parsers start to disagree, so Gatehouse discards. The
        // same line right after the start line is whitespace before the first field (§2.2), refused the same way.
        if (HttpChars.IsWhitespace(line[0]))
        {
            return "a field line starts with whitespace (obs-fold)";
        }

        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            return "a field line has no colon";
        }

        if (colon == 0)
        {
            return "a field name is empty";
        }

        // RFC 9112 §5.1 lets a proxy strip this whitespace from a response; whitespace before the colon is the classic
        // smuggling lever ("Content-Length : 5" read by one parser and ignored by the next), so it is refused instead.
        if (HttpChars.IsWhitespace(line[colon - 1]))
        {
            return "whitespace between a field name and its colon";
        }

        if (!HttpChars.IsToken(line[..colon]))
        {
            return "a field name is not a token";
        }

        var start = colon + 1;
        var end = line.Length;
        while (start < end && HttpChars.IsWhitespace(line[start]))
        {
            start++;
        }

        while (end > start && HttpChars.IsWhitespace(line[end - 1]))
        {
            end--;
        }

        foreach (var b in line[start..end])
        {
            if (!HttpChars.IsFieldValueChar(b))
            {
                return b switch
                {
                    0 => "NUL in a field value",
                    (byte)'\r' => "a bare CR in a field value",
                    _ => "a control character in a field value",
                };
            }
        }

        name = new Range(0, colon);
        value = new Range(start, end);
        return null;
    }
}
