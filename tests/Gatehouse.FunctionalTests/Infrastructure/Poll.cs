using System.Diagnostics;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// For state that raises no event a test can await (another process's, a health check's schedule, counters that copies
/// on their own tasks settle): asks until it holds, every 10 ms, and fails within a bounded time, naming what never
/// happened. Conditions are awaited, never waited on synchronously, so a poll never blocks a socket thread.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(30);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? limit = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, limit);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? limit = null)
    {
        var bound = limit ?? DefaultLimit;
        var elapsed = Stopwatch.StartNew();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!await condition())
        {
            Assert.True(elapsed.Elapsed < bound, $"timed out after {bound.TotalSeconds:0.#} s waiting for {what}");
            await tick.WaitForNextTickAsync(TestContext.Current.CancellationToken);
        }
    }
}
