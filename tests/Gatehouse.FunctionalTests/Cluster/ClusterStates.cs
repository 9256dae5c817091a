using Gatehouse.Cluster;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>Awaits a node's Redis connection state through its StateChanged event (no polling, no sleeps).</summary>
internal static class ClusterStates
{
    public static async Task WaitForAsync(this ClusterConnection connection, ClusterConnectionState state, TimeSpan timeout)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(ClusterConnectionStatus status)
        {
            if (status.State == state)
            {
                reached.TrySetResult();
            }
        }

        connection.StateChanged += OnChanged;
        try
        {
            if (connection.Status.State == state)
            {
                return;
            }

            await reached.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"node {connection.NodeName} did not reach {state} within {timeout}; it is {connection.Status}");
        }
        finally
        {
            connection.StateChanged -= OnChanged;
        }
    }
}
