namespace Gatehouse.Protection;

/// <summary>
/// Keeps client connections from using up the process's file descriptors. Measured (bench/fd-exhaustion.sh): once
/// accepted connections take the last descriptors, the runtime cannot open what it needs (/proc/meminfo for the GC, an
/// assembly file to load) and the process aborts with "Out of memory.", dropping every connection. So the connection
/// limit Kestrel enforces (it closes connections past it at once, a graceful refusal) is held below the descriptor
/// limit, leaving room for what the process already has open and a reserve for assemblies loaded later, upstream
/// connections, cache and log files.
/// </summary>
public static class DescriptorBudget
{
    /// <summary>Descriptors kept free of client connections beyond those open at start-up.</summary>
    public const int Reserve = 512;

    /// <summary>
    /// The connection limit to apply: <paramref name="configured"/> (null: no limit), lowered when the soft descriptor
    /// limit <paramref name="openFilesLimit"/> (null: unknown or unlimited) leaves less room after
    /// <paramref name="openNow"/> descriptors and the <see cref="Reserve"/>. Never below 1.
    /// </summary>
    public static int? MaxConnections(int? configured, long? openFilesLimit, int openNow)
    {
        if (openFilesLimit is not { } limit)
        {
            return configured;
        }

        var room = (int)Math.Clamp(limit - openNow - Reserve, 1, int.MaxValue);
        return configured is { } value && value <= room ? value : room;
    }
}
