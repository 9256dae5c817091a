using System.Text;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Protection;

/// <summary>
/// Kestrel's request-header encoding selector, used to check every header field while Kestrel parses it: a field name
/// that is not a token, or a value holding a control character (NUL, a bare CR or LF, …), makes Kestrel answer 400
/// before any middleware runs. It also rewrites Connection values that Kestrel would otherwise collapse
/// (<see cref="ConnectionTokens"/>). Values decode as UTF-8, as Kestrel's default does. Kestrel parses Content-Length
/// from the raw bytes itself, without asking this selector.
/// </summary>
internal static class RequestHeaderDecoding
{
    private static readonly Encoding Strict = new StrictFieldEncoding(StrictFieldEncoding.Kind.Value);
    private static readonly Encoding Connection = new StrictFieldEncoding(StrictFieldEncoding.Kind.Connection);
    private static readonly Encoding Refuse = new StrictFieldEncoding(StrictFieldEncoding.Kind.Refuse);

    public static Encoding Select(string name)
    {
        if (ReferenceEquals(name, HeaderNames.Connection) || name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
        {
            return Connection;
        }

        // HTTP/2 and HTTP/3 pseudo-header fields (:method, :path, :authority…) come through here too; Kestrel checks
        // their names itself, and their values get the same checks as every other field.
        return HeaderFieldRules.IsValidName(name) || (name.Length > 1 && name[0] == ':') ? Strict : Refuse;
    }

    /// <summary>
    /// UTF-8 that refuses what HTTP forbids; Kestrel turns the <see cref="DecoderFallbackException"/> into a 400.
    /// Kestrel decodes with <c>Encoding.GetString(ReadOnlySpan&lt;byte&gt;)</c>, which sizes the string with the pointer
    /// overload of GetCharCount and fills it with the pointer overload of GetChars, so those two are where the check and
    /// the Connection rewrite sit.
    /// </summary>
    private sealed class StrictFieldEncoding(StrictFieldEncoding.Kind kind) : UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true)
    {
        public enum Kind
        {
            Value,
            Connection,
            Refuse,
        }

        public override unsafe int GetCharCount(byte* bytes, int count)
        {
            var value = new ReadOnlySpan<byte>(bytes, count);
            if (kind == Kind.Refuse || !HeaderFieldRules.IsValidValue(value))
            {
                throw new DecoderFallbackException("invalid request header field");
            }

            return NeedsRewrite(value) ? Rewritten(bytes, count).Length : base.GetCharCount(bytes, count);
        }

        public override unsafe int GetChars(byte* bytes, int byteCount, char* chars, int charCount)
        {
            if (!NeedsRewrite(new ReadOnlySpan<byte>(bytes, byteCount)))
            {
                return base.GetChars(bytes, byteCount, chars, charCount);
            }

            var text = Rewritten(bytes, byteCount);
            text.AsSpan().CopyTo(new Span<char>(chars, charCount));
            return text.Length;
        }

        // Only a Connection value listing several tokens can be collapsed by Kestrel.
        private bool NeedsRewrite(ReadOnlySpan<byte> value) => kind == Kind.Connection && value.Contains((byte)',');

        private static unsafe string Rewritten(byte* bytes, int count) =>
            ConnectionTokens.PreserveNamedHeaders(UTF8.GetString(new ReadOnlySpan<byte>(bytes, count)));

        public override bool Equals(object? value) => ReferenceEquals(this, value);

        public override int GetHashCode() => (int)kind;
    }
}
