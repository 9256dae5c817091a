namespace Gatehouse.Http1;

/// <summary>
/// The message body length of a response (RFC 9112 §6.3) and whether its connection can be reused (§9.3), decided
/// from a head whose field lines are already valid. The framing fields are checked on every head, even on one that
/// has no body, because the head may be forwarded and a framing header that lies is refused wherever it appears.
/// </summary>
internal static class ResponseFraming
{
    internal readonly record struct Decision(BodyFraming Framing, long ContentLength, bool KeepAlive);

    public static string? Decide(int minorVersion, int statusCode, bool requestWasHead, HeaderFields fields, out Decision decision)
    {
        decision = default;
        long contentLength = -1;
        var contentLengthFields = 0;
        var transferEncodingFields = 0;
        var close = false;
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields.NameBytes(i);
            if (HttpChars.EqualsLowerAscii(name, "content-length"u8))
            {
                // §6.3 lets a recipient accept a list of identical values ("42, 42") or repeated fields; Gatehouse
                // refuses both, since only a confused or hostile backend sends them and the next hop may choose differently.
                if (++contentLengthFields > 1)
                {
                    return "several Content-Length fields";
                }

                var error = ParseContentLength(fields.ValueBytes(i), out contentLength);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (HttpChars.EqualsLowerAscii(name, "transfer-encoding"u8))
            {
                if (++transferEncodingFields > 1)
                {
                    return "several Transfer-Encoding fields";
                }

                // Only "chunked" alone. Gatehouse decodes no other transfer coding, "gzip, chunked" would have to be
                // forwarded with a framing the client does not get, and a TE that does not end in chunked means
                // read-until-close (§6.3 item 4) — the reading most often abused to smuggle. Names are case-insensitive (§7).
                if (!HttpChars.EqualsLowerAscii(fields.ValueBytes(i), "chunked"u8))
                {
                    return "a Transfer-Encoding other than chunked";
                }
            }
            else if (HttpChars.EqualsLowerAscii(name, "connection"u8))
            {
                close |= HasCloseOption(fields.ValueBytes(i));
            }
        }

        // §6.3 item 3: "ought to be handled as an error"; a proxy that picks one of the two is a smuggling vector.
        if (contentLengthFields > 0 && transferEncodingFields > 0)
        {
            return "both Content-Length and Transfer-Encoding";
        }

        // §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing, "even if a Content-Length is present".
        if (transferEncodingFields > 0 && minorVersion == 0)
        {
            return "Transfer-Encoding in an HTTP/1.0 response";
        }

        BodyFraming framing;
        if (requestWasHead || statusCode is < 200 or 204 or 304)
        {
            framing = BodyFraming.None; // §6.3 item 1, whatever the framing fields say
            contentLength = -1;
        }
        else if (transferEncodingFields > 0)
        {
            framing = BodyFraming.Chunked;
        }
        else if (contentLengthFields > 0)
        {
            framing = BodyFraming.ContentLength;
        }
        else
        {
            // §6.3 item 8. Allowed: backends that close to end a body exist (HTTP/1.0 servers, CGI), and HttpClient,
            // which Gatehouse used until now, accepts them. The price is that the connection is closed afterwards.
            framing = BodyFraming.ReadUntilClose;
        }

        // §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 persists only with "keep-alive", which Gatehouse never
        // asks for (it sends HTTP/1.1), so an HTTP/1.0 reply ends the connection.
        var keepAlive = minorVersion == 1 && !close && framing != BodyFraming.ReadUntilClose && statusCode != 101;
        decision = new Decision(framing, contentLength, keepAlive);
        return null;
    }

    /// <summary>Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no inner space, no list, and it must fit a long.</summary>
    internal static string? ParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty)
        {
            return "an empty Content-Length";
        }

        if (value.Contains((byte)','))
        {
            return "a Content-Length list";
        }

        foreach (var b in value)
        {
            if (!HttpChars.IsDigit(b))
            {
                return "a Content-Length that is not 1*DIGIT";
            }

            var digit = b - '0';
            if (length > (long.MaxValue - digit) / 10)
            {
                return "a Content-Length too large";
            }

            length = (length * 10) + digit;
        }

        return null;
    }

    private static bool HasCloseOption(ReadOnlySpan<byte> value)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (HttpChars.EqualsLowerAscii(HttpChars.TrimWhitespace(value[range]), "close"u8))
            {
                return true;
            }
        }

        return false;
    }
}
