using System.Collections.Concurrent;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// Runs an asynchronous test body on a thread of its own, where every continuation comes back. For tests that call a
/// synchronous client (Selenium's WebDriver): with inline socket completions on (test.sh turns them on, as Gatehouse
/// does), an await may resume on a socket engine's thread, and a synchronous call there waits for a reply that the
/// same thread has to read.
/// </summary>
public static class OwnThread
{
    public static Task RunAsync(Func<Task> body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var context = new QueueContext();
            SynchronizationContext.SetSynchronizationContext(context);
            var task = body();
            task.ContinueWith(_ => context.Complete(), TaskScheduler.Default);
            context.RunUntilComplete();
            if (task.Exception is { } failure)
            {
                done.SetException(failure.InnerExceptions);
            }
            else if (task.IsCanceled)
            {
                done.SetCanceled();
            }
            else
            {
                done.SetResult();
            }
        })
        { IsBackground = true, Name = "test body" };
        thread.Start();
        return done.Task;
    }

    private sealed class QueueContext : SynchronizationContext, IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

        public override void Post(SendOrPostCallback d, object? state)
        {
            try
            {
                _queue.Add((d, state));
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                // The body has finished: a late continuation runs on the pool.
                ThreadPool.QueueUserWorkItem(_ => d(state));
            }
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

        public void Complete() => _queue.CompleteAdding();

        public void RunUntilComplete()
        {
            foreach (var (callback, state) in _queue.GetConsumingEnumerable())
            {
                callback(state);
            }
        }

        public void Dispose() => _queue.Dispose();
    }
}
