namespace Gatehouse.Http1;

/// <summary>status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4), its CRLF removed.</summary>
internal static class StatusLine
{
    private const int ReasonStart = 13; // "HTTP/1.1 200 ".Length

    public static string? TryParse(ReadOnlySpan<byte> line, out int minorVersion, out int statusCode, out Range reason)
    {
        minorVersion = 0;
        statusCode = 0;
        reason = default;

        // HTTP-version is case-sensitive (RFC 9112 §2.3). Only 1.0 and 1.1 frame messages the way this parser does.
        if (!line.StartsWith("HTTP/"u8))
        {
            return "the status line does not start with HTTP/";
        }

        if (line.Length < 8 || line[5] != (byte)'1' || line[6] != (byte)'.' || line[7] is not ((byte)'0' or (byte)'1'))
        {
            return "the status line's version is not HTTP/1.0 or HTTP/1.1";
        }

        minorVersion = line[7] - '0';
        if (line.Length < 9 || line[8] != (byte)' ')
        {
            return "no single space after the HTTP version";
        }

        if (line.Length < 12 || !HttpChars.IsDigit(line[9]) || !HttpChars.IsDigit(line[10]) || !HttpChars.IsDigit(line[11]))
        {
            return "the status code is not three digits";
        }

        statusCode = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');

        // The SP after the code is in the grammar even when the reason is empty. RFC 9112 allows no leniency here, and
        // "HTTP/1.1 2000 OK" must not be read as 200 with reason "0 OK".
        if (line.Length < ReasonStart || line[12] != (byte)' ')
        {
            return "no space after the status code";
        }

        // RFC 9110 §15: values outside 100..599 are invalid and a client "SHOULD process the message as if it were a
        // 5xx"; as a gateway that means a 502, and refusing keeps 6xx-9xx codes from reaching a client.
        if (statusCode is < 100 or > 599)
        {
            return "the status code is outside 100-599";
        }

        // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): the field value bytes.
        foreach (var b in line[ReasonStart..])
        {
            if (!HttpChars.IsFieldValueChar(b))
            {
                return "a control character in the reason phrase";
            }
        }

        reason = new Range(ReasonStart, line.Length);
        return null;
    }
}
