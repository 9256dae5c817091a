namespace Gatehouse.StaticFiles;

/// <summary>What a request path names under a files route's root.</summary>
public enum PathLookup
{
    /// <summary>A file (or a folder, if one is there) at <see cref="MappedPath.Relative"/>.</summary>
    File,

    /// <summary>A folder (the path ends in <c>/</c>): its index files are tried.</summary>
    Folder,

    /// <summary>Nothing Gatehouse will look up: treated exactly as a missing file, so that no spelling tells more.</summary>
    Refused,
}

/// <summary>The result of <see cref="FilePaths.Map"/>: a relative path of checked segments joined by <c>/</c>.</summary>
public readonly record struct MappedPath(PathLookup Lookup, string Relative);

/// <summary>
/// Request path to a path under the root, as a pure function (docs/static-files.md, "Paths"). Gatehouse's edge has
/// already made the path canonical (decoded, dot segments resolved, <c>%2F</c>, backslashes and control bytes refused),
/// but this step does not rely on it: every segment is checked again here, so the root holds whatever the path says.
/// </summary>
public static class FilePaths
{
    /// <summary>
    /// Maps <paramref name="path"/> (decoded, starting with <c>/</c>). Refused: a path outside <paramref name="stripPrefix"/>,
    /// an empty, <c>.</c> or <c>..</c> segment, a segment holding a backslash, NUL or another control character, and, unless
    /// <paramref name="serveDotfiles"/>, a segment starting with a dot. Only a trailing slash may end in an empty segment.
    /// </summary>
    public static MappedPath Map(string path, string? stripPrefix, bool serveDotfiles)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return Refused;
        }
        if (stripPrefix is { Length: > 0 } prefix)
        {
            var trimmed = prefix.TrimEnd('/');
            if (!path.StartsWith(trimmed, StringComparison.Ordinal) || (path.Length > trimmed.Length && path[trimmed.Length] != '/'))
            {
                return Refused;
            }
            path = path.Length == trimmed.Length ? "/" : path[trimmed.Length..];
        }

        if (path == "/")
        {
            return new MappedPath(PathLookup.Folder, "");
        }
        var folder = path.EndsWith('/');
        var inner = path.AsSpan(1, path.Length - (folder ? 2 : 1));
        if (inner.IsEmpty)
        {
            return folder ? new MappedPath(PathLookup.Folder, "") : Refused;
        }
        foreach (var range in inner.Split('/'))
        {
            if (!IsSegmentAllowed(inner[range], serveDotfiles))
            {
                return Refused;
            }
        }
        return new MappedPath(folder ? PathLookup.Folder : PathLookup.File, inner.ToString());
    }

    /// <summary>
    /// Whether a file's real path, relative to the real root (what a symbolic link led to), may be served: the same
    /// segment rules, so a link cannot reach a dotfile the path could not name.
    /// </summary>
    public static bool IsRealPathAllowed(ReadOnlySpan<char> relative, bool serveDotfiles)
    {
        if (relative.IsEmpty)
        {
            return false;
        }
        foreach (var range in relative.Split('/'))
        {
            if (!IsSegmentAllowed(relative[range], serveDotfiles))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="name"/> is one plain file name (an index file, a config value): one allowed segment.</summary>
    public static bool IsPlainName(string name) => !name.Contains('/', StringComparison.Ordinal) && IsSegmentAllowed(name, serveDotfiles: true);

    private static bool IsSegmentAllowed(ReadOnlySpan<char> segment, bool serveDotfiles)
    {
        if (segment.IsEmpty || segment is "." or ".." || (!serveDotfiles && segment[0] == '.'))
        {
            return false;
        }
        foreach (var c in segment)
        {
            if (c is < ' ' or '\u007f' or '\\')
            {
                return false;
            }
        }
        return true;
    }

    private static MappedPath Refused => new(PathLookup.Refused, "");
}
