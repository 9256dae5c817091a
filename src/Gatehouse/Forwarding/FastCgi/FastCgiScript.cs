namespace Gatehouse.Forwarding;

/// <summary>What a path is to a FastCGI route, as the document root has it.</summary>
public enum FastCgiTarget
{
    /// <summary>A script to run: <see cref="FastCgiResolution.ScriptName"/> with <see cref="FastCgiResolution.PathInfo"/>.</summary>
    Script,

    /// <summary>An existing file that is not a script: for a static-file server (until one is combined, 404).</summary>
    StaticFile,

    /// <summary>A directory with an index, asked for without its trailing slash: 308 to <see cref="FastCgiResolution.ScriptName"/>.</summary>
    AddTrailingSlash,

    /// <summary>A path that can name nothing under the root (dot segments, NUL): 404.</summary>
    NotFound,
}

/// <summary>What <see cref="FastCgiScript.Resolve"/> decided, with the script's name (a path under the root) and PATH_INFO.</summary>
public readonly record struct FastCgiResolution(FastCgiTarget Target, string ScriptName, string PathInfo);

/// <summary>What the document root holds at a path, for <see cref="FastCgiScript.Resolve"/>.</summary>
public enum FileKind
{
    None,
    File,
    Directory,
}

/// <summary>
/// The script a request path runs, as Caddy's php_fastcgi decides it: split the path after the first split extension
/// that ends a segment (<c>/index.php/a/b</c> → script <c>/index.php</c>, PATH_INFO <c>/a/b</c>), then
/// <c>try_files {path} {path}/index.php index.php</c>: an existing script runs, a directory runs its index (after a
/// redirect that adds the slash), an existing non-script file is static, and anything else goes to the front
/// controller (<c>/index.php</c>, PATH_INFO empty, REQUEST_URI keeping the original path for the application's router).
/// Pure: the document root is seen only through <paramref name="probe"/>. Kept apart from the FastCGI client so that a
/// route serving static files and PHP together (WordPress) can ask it which of the two a path is.
/// </summary>
public static class FastCgiScript
{
    /// <param name="path">The decoded request path (after the route's transforms), starting with '/'.</param>
    /// <param name="probe">What the root holds at a path under it; null when the root is not on this machine (tryFiles off).</param>
    public static FastCgiResolution Resolve(string path, string index, IReadOnlyList<string> splitPath, Func<string, FileKind>? probe)
    {
        if (!path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal) || HasDotSegment(path))
        {
            return new(FastCgiTarget.NotFound, "", "");
        }

        var frontController = new FastCgiResolution(FastCgiTarget.Script, "/" + index, "");
        if (Split(path, splitPath) is var (script, pathInfo) && script.Length > 0)
        {
            return probe is null || probe(script) == FileKind.File ? new(FastCgiTarget.Script, script, pathInfo) : frontController;
        }

        if (probe is null)
        {
            return frontController;
        }

        switch (probe(path))
        {
            case FileKind.File:
                return new(FastCgiTarget.StaticFile, path, "");
            case FileKind.Directory:
                var directoryIndex = path.TrimEnd('/') + "/" + index;
                if (probe(directoryIndex) == FileKind.File)
                {
                    return path.EndsWith('/') ? new(FastCgiTarget.Script, directoryIndex, "") : new(FastCgiTarget.AddTrailingSlash, path + "/", "");
                }

                break;
        }

        return frontController;
    }

    /// <summary>
    /// The path split after the first split extension that ends a segment (case-insensitively, as Caddy's split_path):
    /// <c>/a.php/b</c> → (<c>/a.php</c>, <c>/b</c>); (<c>""</c>, <c>""</c>) when there is none.
    /// </summary>
    public static (string Script, string PathInfo) Split(string path, IReadOnlyList<string> splitPath)
    {
        var best = -1;
        foreach (var extension in splitPath)
        {
            var at = 0;
            while ((at = path.IndexOf(extension, at, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                var end = at + extension.Length;
                if (end == path.Length || path[end] == '/')
                {
                    best = best < 0 ? end : Math.Min(best, end);
                    break;
                }

                at = end;
            }
        }

        return best < 0 ? ("", "") : (path[..best], path[best..]);
    }

    /// <summary>A probe of a real directory: what <paramref name="root"/> plus the path is on this machine's file system.</summary>
    public static Func<string, FileKind> FileSystemProbe(string root) => path =>
    {
        var full = root + path;
        return File.Exists(full) ? FileKind.File : Directory.Exists(full) ? FileKind.Directory : FileKind.None;
    };

    private static bool HasDotSegment(string path)
    {
        foreach (var segment in path.Split('/'))
        {
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }
}
