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
        long contentLength = 0) =>
        Write(output, method, target, host, new RequestFieldList(fields), framing, contentLength);

    /// <summary>As above, with the fields from a source that checks and writes them itself.</summary>
    public static string? Write(
        IBufferWriter<byte> output,
        string method,
        string target,
        string host,
        IRequestFields fields,
        RequestBodyFraming framing,
        long contentLength = 0)
    {
        var error = Check(method, target, host, framing, contentLength) ?? fields.Check();
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
        fields.WriteTo(output);
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

    /// <summary>One field line, "name: value" and CRLF; the value as Latin-1. Checked before with <see cref="CheckField"/>.</summary>
    public static void WriteField(IBufferWriter<byte> output, string name, string value)
    {
        var span = output.GetSpan(name.Length + value.Length + 4);
        var at = Encoding.ASCII.GetBytes(name, span);
        span[at++] = (byte)':';
        span[at++] = (byte)' ';
        at += Encoding.Latin1.GetBytes(value, span[at..]);
        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        output.Advance(at);
    }

    /// <summary>
    /// Null, or why this field cannot be sent: a name that is not a token, or in the value CR, LF, NUL (RFC 9110 §5.5:
    /// "invalid and dangerous"; a CR LF would end the field and start one the client chose) or a character beyond
    /// Latin-1 (no byte to write). Other CTLs are passed on as Kestrel accepted them.
    /// </summary>
    public static string? CheckField(string name, string value)
    {
        if (!IsToken(name))
        {
            return $"the field name '{name}' is not a token";
        }

        var chars = value.AsSpan();
        if (chars.IndexOfAny(ForbiddenInValue) >= 0)
        {
            return $"CR, LF or NUL in the value of {name}";
        }

        if (chars.ContainsAnyExceptInRange('\u0000', '\u00ff'))
        {
            return $"a character beyond Latin-1 in the value of {name}";
        }

        return null;
    }

    private static readonly SearchValues<char> ForbiddenInValue = SearchValues.Create("\r\n\0");

    /// <summary>Fields the writer decides itself, so a client's copy never reaches the backend.</summary>
    public static bool IsOwnField(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Host", StringComparison.OrdinalIgnoreCase);

    private static string? Check(string method, string target, string host, RequestBodyFraming framing, long contentLength)
    {
        if (!IsToken(method))
        {
            return "the method is not a token";
        }

        // origin-form or "*" (OPTIONS); visible ASCII only, so nothing in it can end the request line early.
        if (!(target.StartsWith('/') || target == "*") || target.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            return "the request target is not an origin-form of visible ASCII";
        }

        if (host.Length == 0 || host.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            return "the Host is empty or not visible ASCII";
        }

        if (framing == RequestBodyFraming.ContentLength && contentLength < 0)
        {
            return "a negative Content-Length";
        }

        return null;
    }

    private static bool IsToken(string s) => s.Length > 0 && !s.AsSpan().ContainsAnyExcept(TokenChars);

    /// <summary>tchar (RFC 9110 §5.6.2).</summary>
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }
}
