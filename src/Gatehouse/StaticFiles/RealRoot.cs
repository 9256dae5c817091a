namespace Gatehouse.StaticFiles;

/// <summary>
/// A root folder's real path (every symbolic link on the way resolved), what an opened file's real path is compared
/// with. Resolved again at most once a second: deploys often switch a link (<c>/srv/current</c> to the next release)
/// without a reload, and a stale answer would only refuse files (404) for that second, never serve one from outside.
/// </summary>
internal sealed class RealRoot(string configured)
{
    private const long RefreshMilliseconds = 1000;

    private Resolved? _last;

    public string Configured { get; } = configured;

    public string? Current()
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _last);
        if (last is not null && now - last.At < RefreshMilliseconds)
        {
            return last.Path;
        }
        var path = RealPaths.Resolve(Configured);
        Volatile.Write(ref _last, new Resolved(path is not null && Directory.Exists(path) ? path : null, now));
        return _last!.Path;
    }

    private sealed record Resolved(string? Path, long At);
}
