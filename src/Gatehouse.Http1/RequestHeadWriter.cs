using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gatehouse.Http1;

/// <summary>
/// Writes an HTTP/1.1 request head (RFC 9112 §3) for a backend. The framing is the one Gatehouse decided, never the
/// client's: Content-Length, Transfer-Encoding and Host among the fields passed in are skipped, and the writer adds
/// its own. Which other fields are sent (hop-by-hop removal, identity headers) is the transforms' decision, not this one.
/// </summary>
public static class RequestHeadWriter
{
    /// <summary>
    /// Checks everything first and writes nothing when something is refused, so a refusal never leaves half a head in
    /// <paramref name="output"/>. Returns null, or why the head cannot be sent.
    /// </summary>
    /// <param name="target">The origin-form request target (RFC 9112 §3.2.1), already canonical: "/path?query".</param>
    public static string? Write(
        IBufferWriter<byte> output,
        string method,
        string target,
        string host,
        IReadOnlyList<KeyValuePair<string, string>> fields,
        RequestBodyFraming framing,
        long contentLength = 0)
    {
        var error = Check(method, target, host, fields, framing, contentLength);
        if (error is not null)
        {
            return error;
        }

        WriteAscii(output, method);
        WriteAscii(output, " ");
        WriteAscii(output, target);
        WriteAscii(output, " HTTP/1.1\r\nHost: ");
        WriteAscii(output, host);
        WriteAscii(output, "\r\n");
        foreach (var (name, value) in fields)
        {
            if (!IsOwnField(name))
            {
                WriteAscii(output, name);
                WriteAscii(output, ": ");
                WriteLatin1(output, value);
                WriteAscii(output, "\r\n");
            }
        }

        switch (framing)
        {
            case RequestBodyFraming.ContentLength:
                WriteAscii(output, "Content-Length: ");
                WriteAscii(output, contentLength.ToString(CultureInfo.InvariantCulture));
                WriteAscii(output, "\r\n");
                break;
            case RequestBodyFraming.Chunked:
                WriteAscii(output, "Transfer-Encoding: chunked\r\n");
                break;
        }

        WriteAscii(output, "\r\n");
        return null;
    }

    /// <summary>Fields the writer decides itself, so a client's copy never reaches the backend.</summary>
    public static bool IsOwnField(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Host", StringComparison.OrdinalIgnoreCase);

    private static string? Check(string method, string target, string host, IReadOnlyList<KeyValuePair<string, string>> fields, RequestBodyFraming framing, long contentLength)
    {
        if (!IsToken(method))
        {
            return "the method is not a token";
        }

        // origin-form or "*" (OPTIONS); visible ASCII only, so nothing in it can end the request line early.
        if (!(target.StartsWith('/') || target == "*") || !target.All(c => c is > ' ' and < '\u007f'))
        {
            return "the request target is not an origin-form of visible ASCII";
        }

        if (host.Length == 0 || !host.All(c => c is > ' ' and < '\u007f'))
        {
            return "the Host is empty or not visible ASCII";
        }

        if (framing == RequestBodyFraming.ContentLength && contentLength < 0)
        {
            return "a negative Content-Length";
        }

        foreach (var (name, value) in fields)
        {
            if (!IsToken(name))
            {
                return $"the field name '{name}' is not a token";
            }

            // RFC 9110 §5.5: CR, LF and NUL are "invalid and dangerous" (a CR LF would end the field and start one the
            // client chose); beyond Latin-1 there is no byte to write. Other CTLs are passed on as Kestrel accepted them.
            foreach (var c in value)
            {
                if (c is '\r' or '\n' or '\0')
                {
                    return $"CR, LF or NUL in the value of {name}";
                }

                if (c > '\u00ff')
                {
                    return $"a character beyond Latin-1 in the value of {name}";
                }
            }
        }

        return null;
    }

    private static bool IsToken(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (c > '\u007f' || !HttpChars.IsTokenChar((byte)c))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }

    private static void WriteLatin1(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var written = Encoding.Latin1.GetBytes(text, span);
        output.Advance(written);
    }
}
