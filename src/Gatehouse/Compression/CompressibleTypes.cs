namespace Gatehouse.Compression;

/// <summary>
/// Which Content-Types are worth compressing: a list of media types, where <c>text/*</c> takes a whole top-level type and
/// <c>*/*+json</c> a structured-syntax suffix (RFC 6838 §4.2.8). Parameters (charset) and case do not matter.
/// </summary>
public sealed class CompressibleTypes
{
    private static readonly string[] NeverByDefault = ["text/event-stream"];

    private readonly HashSet<string> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _topLevel = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _suffixes = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _excluded = new(StringComparer.OrdinalIgnoreCase);

    public CompressibleTypes(IEnumerable<string> patterns)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith("*/*+", StringComparison.Ordinal))
            {
                _suffixes.Add(pattern[3..]);
            }
            else if (pattern.EndsWith("/*", StringComparison.Ordinal))
            {
                _topLevel.Add(pattern[..^2]);
            }
            else
            {
                _exact.Add(pattern);
            }
        }
        foreach (var never in NeverByDefault)
        {
            if (!_exact.Contains(never))
            {
                _excluded.Add(never);
            }
        }
    }

    /// <summary>A pattern the list takes: <c>type/subtype</c>, <c>type/*</c> or <c>*/*+suffix</c>.</summary>
    public static bool IsPattern(string pattern)
    {
        var slash = pattern.IndexOf('/');
        if (slash <= 0 || slash == pattern.Length - 1 || pattern.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }
        var type = pattern[..slash];
        var subtype = pattern[(slash + 1)..];
        if (type == "*")
        {
            return subtype.StartsWith("*+", StringComparison.Ordinal) && subtype.Length > 2 && IsName(subtype[2..]);
        }
        return IsName(type) && (subtype == "*" || IsName(subtype));
    }

    public bool Matches(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }
        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        mediaType = (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim(" \t");
        var slash = mediaType.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }
        var exact = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        if (exact.Contains(mediaType))
        {
            return true;
        }
        if (_excluded.GetAlternateLookup<ReadOnlySpan<char>>().Contains(mediaType))
        {
            return false;
        }
        if (_topLevel.GetAlternateLookup<ReadOnlySpan<char>>().Contains(mediaType[..slash]))
        {
            return true;
        }
        var plus = mediaType.LastIndexOf('+');
        return plus > slash && _suffixes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(mediaType[plus..]);
    }

    private static bool IsName(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "!#$&-^_.+".Contains(c));
}
