using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.FunctionalTests.Upstream;

/// <summary>
/// A backend that answers each request head it reads with exact bytes, malformed ones included, on 127.0.0.1. The
/// reply for the n-th request (0-based, across connections) comes from the test. It counts connections and requests.
/// </summary>
public sealed class RawSocketBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, RawReply> _reply;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _connections = [];
    private readonly Task _acceptLoop;
    private int _requests;
    private int _accepted;
    private int _closed;
    private TaskCompletionSource _closedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RawSocketBackend(Func<int, RawReply> reply)
    {
        _reply = reply;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public int Accepted => Volatile.Read(ref _accepted);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes once the backend has closed <paramref name="count"/> connections (its socket disposed).</summary>
    public async Task ClosedAsync(int count, CancellationToken cancellation = default)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _closedChanged).Task;
            if (Volatile.Read(ref _closed) >= count)
            {
                return;
            }

            await changed.WaitAsync(cancellation);
        }
    }

    /// <summary>Writes <paramref name="bytes"/> on every open connection, as a backend that talks out of turn.</summary>
    public async Task SendOnEveryConnectionAsync(string bytes)
    {
        Socket[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        foreach (var socket in open)
        {
            await socket.SendAsync(Encoding.Latin1.GetBytes(bytes));
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                lock (_connections)
                {
                    _connections.Add(socket);
                }

                _ = ServeAsync(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // stopped: DisposeAsync cancels, then stops the listener (an accept started in between says "Not listening")
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var end = IndexOfHeadEnd(received);
                if (end < 0)
                {
                    var read = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received.AddRange(buffer.AsSpan(0, read));
                    continue;
                }

                received.RemoveRange(0, end + 4);
                var reply = _reply(Interlocked.Increment(ref _requests) - 1);
                await socket.SendAsync(Encoding.Latin1.GetBytes(reply.Bytes), _stop.Token);
                if (reply.CloseAfter)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(socket);
            }

            socket.Dispose();
            Interlocked.Increment(ref _closed);
            Interlocked.Exchange(ref _closedChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        lock (_connections)
        {
            foreach (var socket in _connections)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }
}

/// <summary>What the raw backend sends for one request, and whether it then closes the connection.</summary>
public sealed record RawReply(string Bytes, bool CloseAfter = false);
