namespace Gatehouse.Http1;

/// <summary>The byte classes of RFC 9110 §5.6.2 (token) and §5.5 (field values), as lookup tables.</summary>
internal static class HttpChars
{
    private static readonly bool[] Token = BuildToken();
    private static readonly bool[] FieldValue = BuildFieldValue();

    /// <summary>tchar: "!" / "#" / "$" / "%" / "&amp;" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.</summary>
    public static bool IsTokenChar(byte b) => Token[b];

    /// <summary>
    /// field-vchar / SP / HTAB: every byte but the CTLs. RFC 9110 §5.5 makes CR, LF and NUL invalid and dangerous and the
    /// other CTLs invalid (a recipient "MAY retain" them); Gatehouse refuses them all, as Kestrel refuses to write them.
    /// </summary>
    public static bool IsFieldValueChar(byte b) => FieldValue[b];

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    public static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>The value of a HEXDIG (RFC 5234 §B.1, case-insensitive), or -1.</summary>
    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    public static bool IsToken(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty)
        {
            return false;
        }

        foreach (var b in span)
        {
            if (!Token[b])
            {
                return false;
            }
        }

        return true;
    }

    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> span)
    {
        var start = 0;
        while (start < span.Length && IsWhitespace(span[start]))
        {
            start++;
        }

        var end = span.Length;
        while (end > start && IsWhitespace(span[end - 1]))
        {
            end--;
        }

        return span[start..end];
    }

    /// <summary>ASCII case-insensitive equality against a lower-case literal.</summary>
    public static bool EqualsLowerAscii(ReadOnlySpan<byte> span, ReadOnlySpan<byte> lower)
    {
        if (span.Length != lower.Length)
        {
            return false;
        }

        for (var i = 0; i < span.Length; i++)
        {
            var b = span[i];
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                b = (byte)(b | 0x20);
            }

            if (b != lower[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool[] BuildToken()
    {
        var table = new bool[256];
        for (var c = '0'; c <= '9'; c++)
        {
            table[c] = true;
        }

        for (var c = 'a'; c <= 'z'; c++)
        {
            table[c] = true;
            table[c - 32] = true;
        }

        foreach (var c in "!#$%&'*+-.^_`|~")
        {
            table[c] = true;
        }

        return table;
    }

    private static bool[] BuildFieldValue()
    {
        var table = new bool[256];
        table['\t'] = true;
        for (var b = 0x20; b <= 0xFF; b++)
        {
            table[b] = b != 0x7F;
        }

        return table;
    }
}
