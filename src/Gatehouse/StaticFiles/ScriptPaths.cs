namespace Gatehouse.StaticFiles;

/// <summary>Which paths name a script that a FastCGI cluster runs, rather than a file to send.</summary>
public static class ScriptPaths
{
    /// <summary>
    /// Whether any segment of <paramref name="path"/> ends with one of <paramref name="extensions"/>, ignoring case: as
    /// FastCGI's split finds the script (<c>/a.php/info</c>), and as a case-insensitive file system or PHP-FPM might read
    /// <c>A.PHP</c>. Erring towards "script" only sends a request to the cluster, which decides; never a source to a client.
    /// </summary>
    public static bool IsScript(ReadOnlySpan<char> path, IReadOnlyList<string> extensions)
    {
        if (extensions.Count == 0)
        {
            return false;
        }
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            foreach (var extension in extensions)
            {
                if (segment.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
