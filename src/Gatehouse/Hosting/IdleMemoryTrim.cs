using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gatehouse.Hosting;

/// <summary>
/// Gives memory back after a burst of connections, once the process is quiet (<see cref="IdleTrimDecision"/>). Measured
/// (docs/reliability.md, "Memory after a burst"): without it, RSS stayed far above its baseline after 10,000 idle
/// connections closed, because nothing allocates in a quiet process, so no collection runs to find the dead connections,
/// the GC keeps the regions it committed, and glibc keeps the chunks OpenSSL freed inside its arenas. A trim is one
/// aggressive blocking collection (it compacts and decommits what it frees) and <c>malloc_trim(0)</c> (which returns
/// free pages inside the arenas, not only at their tops); after many connections opened, only the latter (their TLS
/// handshakes and OpenSSL's released record buffers leave free chunks between live ones). Counts connections on every
/// listener it is added to.
/// </summary>
internal sealed partial class IdleMemoryTrim(TimeProvider time) : BackgroundService
{
    private int _open;
    private int _peakOpen;

    /// <summary>Counts the listener's connections (one small state machine per connection).</summary>
    public void Track(ListenOptions listen) => listen.Use(next => async connection =>
    {
        var open = Interlocked.Increment(ref _open);
        for (var peak = Volatile.Read(ref _peakOpen); open > peak; peak = Volatile.Read(ref _peakOpen))
        {
            if (Interlocked.CompareExchange(ref _peakOpen, open, peak) == peak)
            {
                break;
            }
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(IdleTrimDecision.CheckInterval, time);
        var lastTrim = time.GetTimestamp();
        var openAtLastTrim = 0;
        var allocated = GC.GetTotalAllocatedBytes();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var open = Volatile.Read(ref _open);
                var trim = IdleTrimDecision.Decide(open, openAtLastTrim, Volatile.Read(ref _peakOpen), GC.GetTotalAllocatedBytes() - allocated,
                    time.GetElapsedTime(lastTrim), GC.GetTotalMemory(forceFullCollection: false));
                if (trim != IdleTrim.None)
                {
                    Trim(trim);
                    Volatile.Write(ref _peakOpen, open);
                    openAtLastTrim = open;
                    lastTrim = time.GetTimestamp();
                }

                allocated = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static void Trim(IdleTrim trim)
    {
        if (trim == IdleTrim.Full)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // Not glibc (musl has no malloc_trim): the managed part is done.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
