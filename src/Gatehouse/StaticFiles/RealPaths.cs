namespace Gatehouse.StaticFiles;

/// <summary>Real paths (symbolic links resolved) on Linux: of a path, as realpath(3) gives it, and of an opened file.</summary>
internal static class RealPaths
{
    /// <summary>Links followed before giving up (Linux's own limit, ELOOP).</summary>
    private const int MaxLinks = 40;

    /// <summary>The real path of an absolute <paramref name="path"/>, or null when a part of it is missing or links loop.</summary>
    public static string? Resolve(string path)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "/";
        var links = 0;
        try
        {
            while (pending.TryPop(out var part))
            {
                if (part == ".")
                {
                    continue;
                }
                if (part == "..")
                {
                    current = Path.GetDirectoryName(current) ?? "/";
                    continue;
                }
                var next = Path.Join(current, part);
                var info = new FileInfo(next);
                if (!info.Exists && !Directory.Exists(next))
                {
                    return null;
                }
                if (info.LinkTarget is not { } target)
                {
                    current = next;
                    continue;
                }
                if (++links > MaxLinks)
                {
                    return null;
                }
                foreach (var linked in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(linked);
                }
                if (target.StartsWith('/'))
                {
                    current = "/";
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return current;
    }

    /// <summary>
    /// The path the kernel holds for an opened file (Linux: the link <c>/proc/self/fd/N</c>): the file actually opened,
    /// after every link, so no link switched between the check and the read can lead elsewhere. Null when unknown.
    /// </summary>
    public static string? OfOpened(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        try
        {
            var fd = handle.DangerousGetHandle().ToInt64();
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
