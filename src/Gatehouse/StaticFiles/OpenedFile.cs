using Microsoft.Win32.SafeHandles;

namespace Gatehouse.StaticFiles;

/// <summary>
/// A regular file opened under a route's root, with the length and modification time of that very handle: everything
/// sent about it (validators, length, bytes) comes from what was opened, never from another look-up of its path.
/// </summary>
internal sealed class OpenedFile : IDisposable
{
    private OpenedFile(SafeFileHandle handle, string name, long length, DateTime lastWriteUtc)
    {
        Handle = handle;
        Name = name;
        Length = length;
        LastWriteUtc = lastWriteUtc;
    }

    public SafeFileHandle Handle { get; }

    /// <summary>The file's name as requested (its extension gives the Content-Type).</summary>
    public string Name { get; }

    public long Length { get; }

    public DateTime LastWriteUtc { get; }

    /// <summary>
    /// Opens <paramref name="relative"/> under <paramref name="realRoot"/>; null when it is missing, not a regular file,
    /// unreadable, or (unless the route follows them) reached through a link to outside the root or to a dotfile.
    /// </summary>
    public static OpenedFile? TryOpen(string realRoot, string relative, RouteStaticFiles settings)
    {
        if (relative.Length == 0 || ScriptPaths.IsScript(relative, settings.ScriptExtensions))
        {
            return null; // a script is the FastCGI cluster's to run, never a file to send (its source)
        }
        var path = string.Concat(realRoot, "/", relative);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null; // missing, a folder, no permission, a name too long: all look the same to the client
        }

        try
        {
            if (!settings.FollowSymlinksOutsideRoot && !IsInside(realRoot, RealPaths.OfOpened(handle), settings.ServeDotfiles))
            {
                handle.Dispose();
                return null;
            }
            if (settings.ScriptExtensions.Count > 0 && ScriptPaths.IsScript(RealPaths.OfOpened(handle) ?? relative, settings.ScriptExtensions))
            {
                handle.Dispose();
                return null; // a link with an innocent name to a script
            }
            var attributes = File.GetAttributes(handle);
            if ((attributes & (FileAttributes.Directory | FileAttributes.Device)) != 0)
            {
                handle.Dispose();
                return null;
            }
            return new OpenedFile(handle, relative, RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            return null;
        }
    }

    /// <summary>Whether a real path lies under the real root and names no dotfile on the way (when they are hidden).</summary>
    internal static bool IsInside(string realRoot, string? realPath, bool serveDotfiles) =>
        realPath is not null && realPath.Length > realRoot.Length + 1 && realPath.StartsWith(realRoot, StringComparison.Ordinal)
        && (realRoot == "/" ? realPath[0] == '/' : realPath[realRoot.Length] == '/')
        && FilePaths.IsRealPathAllowed(realPath.AsSpan(realRoot == "/" ? 1 : realRoot.Length + 1), serveDotfiles);

    public void Dispose() => Handle.Dispose();
}
