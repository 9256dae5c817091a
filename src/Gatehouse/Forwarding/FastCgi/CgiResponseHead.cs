using System.Text;

namespace Gatehouse.Forwarding;

/// <summary>The CGI response head a FastCGI responder writes at the start of STDOUT (RFC 3875 §6), parsed.</summary>
public sealed record CgiResponseHead(int StatusCode, string? Reason, IReadOnlyList<KeyValuePair<string, string>> Fields, int Length);

/// <summary>What <see cref="CgiResponseParser.TryParse"/> found in the bytes read so far.</summary>
public enum CgiParseResult
{
    Complete,
    NeedMore,
    Invalid,
}

/// <summary>
/// Reads the CGI response head, pure: header lines up to the first empty one (CRLF or bare LF line ends, as PHP and
/// other responders write), the <c>Status</c> field taken out as the status (RFC 3875 §6.3.3), <c>Location</c> with
/// no status a 302 (§6.2.3–6.2.4, as nginx and Caddy do). Anything else malformed (a line without a colon, a name that
/// is not a token, control characters, folded lines, a head over the limit or with too many fields) is invalid, which
/// the forwarder answers with 502.
/// </summary>
public static class CgiResponseParser
{
    public const int MaxFields = 200;

    public static CgiParseResult TryParse(ReadOnlySpan<byte> stdout, int maxHeadBytes, out CgiResponseHead? head, out string? error)
    {
        head = null;
        error = null;
        var fields = new List<KeyValuePair<string, string>>();
        int? status = null;
        string? reason = null;
        var position = 0;
        while (true)
        {
            var newline = stdout[position..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (stdout.Length > maxHeadBytes)
                {
                    error = $"response head over {maxHeadBytes} bytes";
                    return CgiParseResult.Invalid;
                }

                return CgiParseResult.NeedMore;
            }

            var line = stdout.Slice(position, newline);
            position += newline + 1;
            if (position > maxHeadBytes)
            {
                error = $"response head over {maxHeadBytes} bytes";
                return CgiParseResult.Invalid;
            }

            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                break;
            }

            if (!TryField(line, out var name, out var value, out error))
            {
                return CgiParseResult.Invalid;
            }

            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                if (status is not null || !TryStatus(value, out var code, out reason))
                {
                    error = $"bad Status field '{value}'";
                    return CgiParseResult.Invalid;
                }

                status = code;
                continue;
            }

            if (fields.Count == MaxFields)
            {
                error = $"more than {MaxFields} response fields";
                return CgiParseResult.Invalid;
            }

            fields.Add(KeyValuePair.Create(name, value));
        }

        status ??= fields.Any(f => f.Key.Equals("Location", StringComparison.OrdinalIgnoreCase)) ? 302 : 200;
        head = new CgiResponseHead(status.Value, reason, fields, position);
        return CgiParseResult.Complete;
    }

    private static bool TryField(ReadOnlySpan<byte> line, out string name, out string value, out string? error)
    {
        name = value = "";
        error = null;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            error = line[0] is (byte)' ' or (byte)'\t' ? "folded header line" : "header line without a colon";
            return false;
        }

        foreach (var b in line[..colon])
        {
            if (!IsTokenChar(b))
            {
                error = "bad header name";
                return false;
            }
        }

        var raw = line[(colon + 1)..].Trim(" \t"u8);
        foreach (var b in raw)
        {
            if (b is < 0x20 and not (byte)'\t' or 0x7F)
            {
                error = "control character in a header value";
                return false;
            }
        }

        name = Encoding.ASCII.GetString(line[..colon]);
        value = Encoding.Latin1.GetString(raw);
        return true;
    }

    /// <summary><c>404</c> or <c>404 Not Found</c>: three digits, 100 to 999, then an optional reason.</summary>
    private static bool TryStatus(string value, out int code, out string? reason)
    {
        code = 0;
        reason = null;
        if (value.Length < 3 || !char.IsAsciiDigit(value[0]) || !char.IsAsciiDigit(value[1]) || !char.IsAsciiDigit(value[2])
            || (value.Length > 3 && value[3] != ' '))
        {
            return false;
        }

        code = ((value[0] - '0') * 100) + ((value[1] - '0') * 10) + (value[2] - '0');
        reason = value.Length > 4 ? value[4..].Trim() : null;
        return code >= 100;
    }

    // RFC 9110 §5.6.2 tchar.
    private static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+' or (byte)'-'
            or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
