namespace Gatehouse.Hosting;

/// <summary>What an idle trim does (<see cref="IdleTrimDecision"/>).</summary>
public enum IdleTrim
{
    None,

    /// <summary><c>malloc_trim</c> only: many connections opened, and their handshakes left freed chunks in glibc's arenas.</summary>
    Native,

    /// <summary>A full collection and <c>malloc_trim</c>: many connections closed, and their objects are garbage.</summary>
    Full,
}

/// <summary>
/// When Gatehouse gives memory back to the system after a burst of connections (<see cref="IdleMemoryTrim"/>): at least
/// 1,000 connections opened or closed since the last trim, the process is quiet (a blocking collection then costs no
/// busy traffic its latency, and nothing would reuse the memory soon), and the last trim is not recent (20 s for a
/// small heap, a minute for a large one). Under steady
/// traffic it never fires: the runtime's own collections keep up, and malloc reuses what it holds.
/// </summary>
public static class IdleTrimDecision
{
    /// <summary>At some 50 KB each (docs/reliability.md), 1,000 connections are about 50 MB.</summary>
    public const int BurstConnections = 1000;

    /// <summary>Bytes the process may allocate during one check interval and still count as quiet.</summary>
    public const long QuietAllocatedBytes = 16 * 1024 * 1024;

    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>The least time between two trims while the managed heap is large (a memory cache): its full collection is a pause.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The least time between two trims while the managed heap is at most <see cref="SmallHeapBytes"/>: a full
    /// collection of a heap that size pauses about 20 ms (measured after 1,000 connections), so bursts that come every
    /// half minute each get their memory back before the next (docs/performance.md, session 15).
    /// </summary>
    public static readonly TimeSpan SmallHeapInterval = TimeSpan.FromSeconds(20);

    public const long SmallHeapBytes = 128L * 1024 * 1024;

    /// <summary>How long after the last trim the next may come, for a managed heap of <paramref name="heapBytes"/>.</summary>
    public static TimeSpan IntervalFor(long heapBytes) => heapBytes <= SmallHeapBytes ? SmallHeapInterval : MinimumInterval;

    /// <param name="open">Connections open now.</param>
    /// <param name="openAtLastTrim">Connections open at the last trim (0 at start).</param>
    /// <param name="peakOpen">The most connections open at once since the last trim.</param>
    /// <param name="allocatedInInterval">Managed bytes allocated during the last check interval.</param>
    /// <param name="sinceLastTrim">Time since the last trim (or since start).</param>
    /// <param name="heapBytes">The managed heap's size now (what a full collection has to walk).</param>
    public static IdleTrim Decide(int open, int openAtLastTrim, int peakOpen, long allocatedInInterval, TimeSpan sinceLastTrim, long heapBytes)
    {
        if (allocatedInInterval > QuietAllocatedBytes || sinceLastTrim < IntervalFor(heapBytes))
        {
            return IdleTrim.None;
        }

        // Closed: only when most of the peak is gone, so the full collection walks a small live heap.
        if (peakOpen - open >= BurstConnections && open <= peakOpen / 2)
        {
            return IdleTrim.Full;
        }

        return open - openAtLastTrim >= BurstConnections ? IdleTrim.Native : IdleTrim.None;
    }
}
