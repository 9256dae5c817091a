using Gatehouse.Overload;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Tests.Overload;

public sealed class ConcurrencyGateTests
{
    private static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Enter_BelowTheLimit_AdmitsAtOnce()
    {
        var gate = new ConcurrencyGate(2, 10, new FakeTimeProvider());

        Assert.Equal(Admission.Admitted, await gate.EnterAsync(QueueTimeout, default));
        Assert.Equal(Admission.Admitted, await gate.EnterAsync(QueueTimeout, default));
        Assert.Equal(2, gate.Active);
        Assert.False(gate.HasRoom);
    }

    [Fact]
    public async Task Release_HandsTheSlotToWaitersInArrivalOrder()
    {
        var gate = new ConcurrencyGate(1, 10, new FakeTimeProvider());
        Assert.Equal(Admission.Admitted, await gate.EnterAsync(QueueTimeout, default));
        var waiters = Enumerable.Range(0, 5).Select(_ => gate.EnterAsync(QueueTimeout, default).AsTask()).ToList();
        Assert.All(waiters, w => Assert.False(w.IsCompleted));
        Assert.Equal(5, gate.Waiting);

        for (var i = 0; i < waiters.Count; i++)
        {
            gate.Release();
            Assert.Equal(Admission.Admitted, await waiters[i].WaitAsync(TimeSpan.FromSeconds(5)));
            // Only the longest waiter got the slot; the others still wait.
            Assert.All(waiters.Skip(i + 1), w => Assert.False(w.IsCompleted));
            Assert.Equal(1, gate.Active);
        }

        gate.Release();
        Assert.Equal(0, gate.Active);
        Assert.True(gate.HasRoom);
    }

    [Fact]
    public async Task Enter_WhileOthersWait_QueuesEvenIfASlotIsFree_SoNoNewcomerOvertakes()
    {
        var gate = new ConcurrencyGate(1, 10, new FakeTimeProvider());
        await gate.EnterAsync(QueueTimeout, default);
        var first = gate.EnterAsync(QueueTimeout, default).AsTask();
        gate.Release(); // the slot passes to "first" directly: it is never free for a newcomer
        var newcomer = gate.EnterAsync(QueueTimeout, default).AsTask();

        Assert.Equal(Admission.Admitted, await first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(newcomer.IsCompleted);
    }

    [Fact]
    public async Task Enter_WithTheQueueFull_IsRefusedAtOnce()
    {
        var gate = new ConcurrencyGate(1, 2, new FakeTimeProvider());
        await gate.EnterAsync(QueueTimeout, default);
        _ = gate.EnterAsync(QueueTimeout, default).AsTask();
        _ = gate.EnterAsync(QueueTimeout, default).AsTask();

        Assert.Equal(Admission.QueueFull, await gate.EnterAsync(QueueTimeout, default));
    }

    [Fact]
    public async Task Enter_WithNoQueue_IsRefusedWhenFull()
    {
        var gate = new ConcurrencyGate(1, 0, new FakeTimeProvider());
        await gate.EnterAsync(QueueTimeout, default);

        Assert.Equal(Admission.QueueFull, await gate.EnterAsync(QueueTimeout, default));
    }

    [Fact]
    public async Task Waiter_PastTheQueueTimeout_TimesOutAndLeavesTheQueue()
    {
        var time = new FakeTimeProvider();
        var gate = new ConcurrencyGate(1, 10, time);
        await gate.EnterAsync(QueueTimeout, default);
        var early = gate.EnterAsync(QueueTimeout, default).AsTask();
        time.Advance(TimeSpan.FromSeconds(3));
        var late = gate.EnterAsync(QueueTimeout, default).AsTask();

        time.Advance(TimeSpan.FromSeconds(2)); // "early" has waited 5 s, "late" 2 s
        Assert.Equal(Admission.TimedOut, await early.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(late.IsCompleted);
        Assert.Equal(1, gate.Waiting);

        gate.Release();
        Assert.Equal(Admission.Admitted, await late.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Waiter_WhoseClientLeaves_IsCanceledAndTheSlotGoesToTheNext()
    {
        var gate = new ConcurrencyGate(1, 10, new FakeTimeProvider());
        await gate.EnterAsync(QueueTimeout, default);
        using var client = new CancellationTokenSource();
        var leaving = gate.EnterAsync(QueueTimeout, client.Token).AsTask();
        var staying = gate.EnterAsync(QueueTimeout, default).AsTask();

        await client.CancelAsync();
        Assert.Equal(Admission.Canceled, await leaving.WaitAsync(TimeSpan.FromSeconds(5)));
        gate.Release();
        Assert.Equal(Admission.Admitted, await staying.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, gate.Active);
    }

    [Fact]
    public async Task ManyConcurrentUsers_NeverHoldMoreThanTheLimit()
    {
        var gate = new ConcurrencyGate(3, 1000, TimeProvider.System);
        var inside = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            Assert.Equal(Admission.Admitted, await gate.EnterAsync(TimeSpan.FromSeconds(30), default));
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
            gate.Release();
        })));

        Assert.InRange(most, 1, 3);
        Assert.Equal(0, gate.Active);
        Assert.Equal(0, gate.Waiting);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
