using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Gatehouse.Protection;

/// <summary>Why a request target has no canonical path (docs/protection.md, "Paths: one canonical form").</summary>
public enum PathRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>A <c>#</c> in the target: a fragment is never sent, so a client sending one is not a browser.</summary>
    Fragment,

    /// <summary>A <c>%</c> not followed by two hex digits.</summary>
    BadEscape,

    /// <summary><c>%2F</c>: one backend reads a separator where another reads a character.</summary>
    EncodedSlash,

    /// <summary>A backslash, raw or <c>%5C</c>: Windows, IIS and some Java servers read it as a separator.</summary>
    Backslash,

    /// <summary>A control byte (0x00-0x1F, 0x7F), raw or encoded (<c>%00</c>, <c>%0d%0a</c>).</summary>
    ControlCharacter,

    /// <summary>A raw space: Kestrel refuses it on HTTP/1.1; an HTTP/2 <c>:path</c> must not hold one either.</summary>
    InvalidCharacter,

    /// <summary>A decoded <c>%</c> followed by two hex digits (<c>%252e</c>): a second decoding reads another path.</summary>
    DoubleEncoding,

    /// <summary>Decoded bytes that are not strict UTF-8 (overlong <c>%c0%ae</c>, surrogates, truncated sequences).</summary>
    InvalidUtf8,

    /// <summary>A segment ending in a dot or a space (<c>/admin./</c>), which Windows and IIS strip from names.</summary>
    TrailingDotOrSpace,

    /// <summary>A <c>;</c>, raw or <c>%3B</c>: Tomcat, Jetty and Spring strip <c>;params</c> from segments.</summary>
    MatrixParameter,
}

/// <summary>What <see cref="PathCanonicalization.Canonicalize"/> found in a request target.</summary>
public readonly struct CanonicalPath
{
    internal CanonicalPath(PathRefusal refusal, string? canonical, int pathStart, int pathEnd, bool restructured, bool isPath)
    {
        Refusal = refusal;
        Canonical = canonical;
        PathStart = pathStart;
        PathEnd = pathEnd;
        Restructured = restructured;
        IsPath = isPath;
    }

    /// <summary>Why the target is refused; <see cref="PathRefusal.None"/> when it is not.</summary>
    public PathRefusal Refusal { get; }

    public bool IsRefused => Refusal != PathRefusal.None;

    /// <summary>
    /// False for a target without a path: asterisk-form (<c>OPTIONS *</c>) and authority-form (<c>CONNECT host:443</c>).
    /// Those are left as they are.
    /// </summary>
    public bool IsPath { get; }

    /// <summary>
    /// The canonical path, decoded (<c>/caf%C3%A9</c> is <c>/café</c>), when it differs from the raw path; null when the
    /// raw path (<see cref="PathStart"/> to <see cref="PathEnd"/> in the target) is canonical as it stands.
    /// </summary>
    public string? Canonical { get; }

    /// <summary>Where the raw path starts in the target (after the scheme and authority of an absolute-form target).</summary>
    public int PathStart { get; }

    /// <summary>Where the raw path ends in the target: the <c>?</c> of the query, or the end.</summary>
    public int PathEnd { get; }

    /// <summary>
    /// True when the raw path had repeated slashes or dot segments (raw or encoded), so that the canonical path differs
    /// from it in more than percent-encoding; false when only the encoding differs.
    /// </summary>
    public bool Restructured { get; }

    /// <summary>The canonical path of <paramref name="target"/> (the one this result was computed from); refused results throw.</summary>
    public string PathOf(string target)
    {
        if (IsRefused || !IsPath)
        {
            throw new InvalidOperationException("the target has no canonical path");
        }

        return Canonical ?? target[PathStart..PathEnd];
    }
}

/// <summary>
/// The one canonical form of a request path, computed from the raw request target before anything reads the path
/// (docs/protection.md, "Paths: one canonical form"). Routing, protection and the backend all see this path, so that no
/// spelling of a path can match one route at Gatehouse and be read as another resource by the backend. In order:
/// the query is split off at the first <c>?</c> (and never touched), a <c>#</c> is refused; the path is percent-decoded,
/// refusing bad escapes, <c>%2F</c>, backslashes, control bytes, double encoding (<c>%252e</c>) and invalid UTF-8;
/// repeated slashes are merged, then dot segments resolved (RFC 3986 §5.2.4); a segment ending in a dot or a space and a
/// <c>;</c> anywhere are refused. Case is kept. A path already canonical (the usual case) costs one scan of the target and no allocation.
/// </summary>
public static class PathCanonicalization
{
    private const int StackLimit = 512;

    /// <summary>Computes the canonical path of a raw request target (origin-form, absolute-form, HTTP/2 <c>:path</c>).</summary>
    public static CanonicalPath Canonicalize(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        int start;
        if (target.StartsWith('/'))
        {
            start = 0;
        }
        else if (AuthorityEnd(target) is var authorityEnd and >= 0)
        {
            start = authorityEnd;
        }
        else
        {
            // Asterisk-form or authority-form: no path to canonicalise.
            return new CanonicalPath(PathRefusal.None, null, 0, 0, restructured: false, isPath: false);
        }

        // One pass over the path, up to the query: is it canonical as it stands (printable ASCII, no '%', '\\' or ';', no
        // "//", no segment starting or ending with a dot)? Anything else takes the full computation, which may still find
        // the raw path canonical. Then the query is searched for '#' only.
        var canonical = true;
        var previous = '\0';
        var end = target.Length;
        for (var i = start; i < target.Length; i++)
        {
            var c = target[i];
            if (c is < '!' or > '~' or '%' or '\\' or ';' or '#' or '?')
            {
                if (c == '?')
                {
                    end = i;
                    break;
                }

                if (c == '#')
                {
                    return Refused(PathRefusal.Fragment);
                }

                canonical = false;
            }
            else if (c == '/')
            {
                canonical &= previous is not ('/' or '.');
            }
            else if (c == '.' && previous == '/')
            {
                canonical = false;
            }

            previous = c;
        }

        if (end < target.Length && target.AsSpan(end + 1).Contains('#'))
        {
            return Refused(PathRefusal.Fragment);
        }

        if (end == start)
        {
            // http://host or http://host?q: the path is "/" (RFC 9112 §3.2.2).
            return new CanonicalPath(PathRefusal.None, "/", start, end, restructured: false, isPath: true);
        }

        if (canonical && previous != '.')
        {
            return new CanonicalPath(PathRefusal.None, null, start, end, restructured: false, isPath: true);
        }

        return Slow(target.AsSpan(start, end - start), start, end);
    }

    private static CanonicalPath Slow(ReadOnlySpan<char> path, int start, int end)
    {
        byte[]? rented = null;
        // Decoded bytes are at most 3 per raw character (a raw non-ASCII character is up to 3 UTF-8 bytes, a surrogate pair
        // 4 for 2; an escape is 3 characters for 1 byte); the output needs one more for the slash kept after the last
        // segment while it is built.
        var capacity = path.Length * 3;
        var size = (capacity * 2) + 1;
        var buffer = size <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var decoded = buffer[..capacity];
            var output = buffer[capacity..];
            var refusal = Decode(path, decoded, out var length);
            if (refusal != PathRefusal.None)
            {
                return Refused(refusal);
            }

            decoded = decoded[..length];
            if (HasDoubleEncoding(decoded))
            {
                return Refused(PathRefusal.DoubleEncoding);
            }

            if (!Utf8.IsValid(decoded))
            {
                return Refused(PathRefusal.InvalidUtf8);
            }

            refusal = Resolve(decoded, output, out var written, out var restructured);
            if (refusal != PathRefusal.None)
            {
                return Refused(refusal);
            }

            var canonical = output[..written];
            if (IsSame(canonical, path))
            {
                return new CanonicalPath(PathRefusal.None, null, start, end, restructured, isPath: true);
            }

            return new CanonicalPath(PathRefusal.None, Encoding.UTF8.GetString(canonical), start, end, restructured, isPath: true);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Percent-decodes into bytes, refusing what must not appear raw or decoded.</summary>
    private static PathRefusal Decode(ReadOnlySpan<char> path, Span<byte> decoded, out int length)
    {
        length = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            byte value;
            if (c == '%')
            {
                if (i + 2 >= path.Length || !IsHex(path[i + 1]) || !IsHex(path[i + 2]))
                {
                    return PathRefusal.BadEscape;
                }

                value = (byte)((HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]));
                i += 2;
                switch (value)
                {
                    case (byte)'/':
                        return PathRefusal.EncodedSlash;
                    case < 0x20 or 0x7F:
                        return PathRefusal.ControlCharacter;
                }
            }
            else if (c is < ' ' or '\u007f')
            {
                return PathRefusal.ControlCharacter;
            }
            else if (c == ' ')
            {
                return PathRefusal.InvalidCharacter;
            }
            else if (c > '~')
            {
                // A raw non-ASCII character (Kestrel read the raw bytes as UTF-8): its UTF-8 bytes, as if it were encoded.
                if (Rune.DecodeFromUtf16(path[i..], out var rune, out var consumed) != OperationStatus.Done)
                {
                    return PathRefusal.InvalidUtf8;
                }

                length += rune.EncodeToUtf8(decoded[length..]);
                i += consumed - 1;
                continue;
            }
            else
            {
                value = (byte)c;
            }

            switch (value)
            {
                case (byte)'\\':
                    return PathRefusal.Backslash;
                case (byte)';':
                    return PathRefusal.MatrixParameter;
            }

            decoded[length++] = value;
        }

        return PathRefusal.None;
    }

    private static bool HasDoubleEncoding(ReadOnlySpan<byte> decoded)
    {
        var at = decoded.IndexOf((byte)'%');
        while (at >= 0)
        {
            if (at + 2 < decoded.Length && IsHex((char)decoded[at + 1]) && IsHex((char)decoded[at + 2]))
            {
                return true;
            }

            var next = decoded[(at + 1)..].IndexOf((byte)'%');
            at = next < 0 ? -1 : at + 1 + next;
        }

        return false;
    }

    /// <summary>
    /// Merges repeated slashes, then resolves <c>.</c> and <c>..</c> (<c>..</c> at the root stays at the root), keeping a
    /// trailing slash; refuses segments ending in a dot or a space. <paramref name="decoded"/> starts with <c>/</c>.
    /// </summary>
    private static PathRefusal Resolve(ReadOnlySpan<byte> decoded, Span<byte> output, out int written, out bool restructured)
    {
        restructured = false;
        output[0] = (byte)'/';
        written = 1; // The output always ends with "/" between segments.
        var rest = decoded[1..];
        var lastWasName = false;
        while (true)
        {
            var slash = rest.IndexOf((byte)'/');
            var segment = slash < 0 ? rest : rest[..slash];
            var last = slash < 0;
            lastWasName = false;
            if (segment.IsEmpty)
            {
                // "//" is merged; an empty last segment is the trailing slash.
                restructured |= !last;
            }
            else if (segment is [(byte)'.'])
            {
                restructured = true;
            }
            else if (segment is [(byte)'.', (byte)'.'])
            {
                restructured = true;
                if (written > 1)
                {
                    written = output[..(written - 1)].LastIndexOf((byte)'/') + 1;
                }
            }
            else
            {
                if (segment[^1] is (byte)'.' or (byte)' ')
                {
                    return PathRefusal.TrailingDotOrSpace;
                }

                segment.CopyTo(output[written..]);
                written += segment.Length;
                output[written++] = (byte)'/';
                lastWasName = true;
            }

            if (last)
            {
                break;
            }

            rest = rest[(slash + 1)..];
        }

        if (lastWasName)
        {
            written--;
        }

        return PathRefusal.None;
    }

    private static bool IsSame(ReadOnlySpan<byte> canonical, ReadOnlySpan<char> raw)
    {
        if (canonical.Length != raw.Length)
        {
            return false;
        }

        for (var i = 0; i < raw.Length; i++)
        {
            if (canonical[i] != raw[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index just past <c>scheme://authority</c> in an absolute-form target, or -1 when it is not one.</summary>
    private static int AuthorityEnd(string target)
    {
        var colon = target.IndexOf("://", StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(target[0]))
        {
            return -1;
        }

        for (var i = 1; i < colon; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(target[i]) || target[i] is '+' or '-' or '.'))
            {
                return -1;
            }
        }

        var authority = colon + 3;
        var end = target.AsSpan(authority).IndexOfAny('/', '?', '#');
        return end < 0 ? target.Length : authority + end;
    }

    private static CanonicalPath Refused(PathRefusal refusal) => new(refusal, null, 0, 0, restructured: false, isPath: true);

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
