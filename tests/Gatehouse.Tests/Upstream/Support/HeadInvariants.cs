using System.Text;
using Gatehouse.Http1;

namespace Gatehouse.Tests.Upstream.Support;

/// <summary>
/// What every head the parser calls Complete must satisfy, checked by code that shares nothing with the parser (its
/// own byte classes, its own reading of the framing fields). The unit tests and the fuzzer both run it.
/// </summary>
public static class HeadInvariants
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first broken invariant.</summary>
    public static void Check(ResponseHead head, ReadOnlySpan<byte> headBytes, bool requestWasHead)
    {
        Require(head.MinorVersion is 0 or 1, "version");
        Require(head.StatusCode is >= 100 and <= 599, "status code range");
        Require(headBytes.StartsWith(Encoding.ASCII.GetBytes($"HTTP/1.{head.MinorVersion} {head.StatusCode:D3} ")), "status line");
        Require(headBytes.EndsWith("\r\n\r\n"u8), "head ends in CRLF CRLF");
        for (var i = 0; i < headBytes.Length; i++)
        {
            Require(headBytes[i] != 0, "NUL in a head");
            Require(headBytes[i] != (byte)'\n' || (i > 0 && headBytes[i - 1] == (byte)'\r'), "bare LF in a head");
            Require(headBytes[i] != (byte)'\r' || (i + 1 < headBytes.Length && headBytes[i + 1] == (byte)'\n'), "bare CR in a head");
        }

        CheckValue(head.ReasonBytes, allowEdgeWhitespace: true);
        var contentLengths = new List<string>();
        var transferEncodings = new List<string>();
        for (var i = 0; i < head.Fields.Count; i++)
        {
            var name = head.Fields.Name(i);
            Require(name.Length > 0 && name.All(c => TokenChars.Contains(c)), "field name is a token");
            CheckValue(head.Fields.ValueBytes(i), allowEdgeWhitespace: false);
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLengths.Add(head.Fields.Value(i));
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                transferEncodings.Add(head.Fields.Value(i));
            }
        }

        Require(contentLengths.Count <= 1 && transferEncodings.Count <= 1, "at most one framing field of each kind");
        Require(contentLengths.Count == 0 || transferEncodings.Count == 0, "never both framing fields");
        Require(contentLengths.All(v => v.Length > 0 && v.All(char.IsAsciiDigit)), "Content-Length is 1*DIGIT");
        Require(transferEncodings.All(v => v.Equals("chunked", StringComparison.OrdinalIgnoreCase)), "Transfer-Encoding is chunked");
        Require(transferEncodings.Count == 0 || head.MinorVersion == 1, "no Transfer-Encoding in HTTP/1.0");

        var bodyless = requestWasHead || head.StatusCode is < 200 or 204 or 304;
        var expected = bodyless ? BodyFraming.None
            : transferEncodings.Count == 1 ? BodyFraming.Chunked
            : contentLengths.Count == 1 ? BodyFraming.ContentLength
            : BodyFraming.ReadUntilClose;
        Require(head.Framing == expected, "framing per RFC 9112 §6.3");
        Require(head.Framing != BodyFraming.ContentLength || head.ContentLength == long.Parse(contentLengths[0], System.Globalization.CultureInfo.InvariantCulture), "Content-Length value");
        Require(!head.KeepAlive || (head.MinorVersion == 1 && head.Framing != BodyFraming.ReadUntilClose && head.StatusCode != 101), "keep-alive only when the end is known");
    }

    private static void CheckValue(ReadOnlySpan<byte> value, bool allowEdgeWhitespace)
    {
        foreach (var b in value)
        {
            Require(b == (byte)'\t' || (b >= 0x20 && b != 0x7F), "no CTL in a value");
        }

        if (!allowEdgeWhitespace && !value.IsEmpty)
        {
            Require(value[0] is not ((byte)' ' or (byte)'\t') && value[^1] is not ((byte)' ' or (byte)'\t'), "values are trimmed");
        }
    }

    private static void Require(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new InvalidOperationException("invariant broken: " + invariant);
        }
    }
}
