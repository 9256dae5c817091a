using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// A raw TCP HTTP/1.1 server on loopback that records the exact bytes of every request it receives and answers each with
/// 200 and a body naming the request's number (<c>request-N</c>), so a test can prove what reached a backend and that no
/// response went to the wrong request. It reads framing by Content-Length or chunked, as a backend would.
/// </summary>
public sealed class RecordingBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(120));
    private readonly Task _accepting;
    private int _count;

    private RecordingBackend()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Address => $"http://127.0.0.1:{Port}";

    /// <summary>Every request received, as the exact bytes (Latin-1 decoded), in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Bytes that arrived but did not form a complete request before the connection ended.</summary>
    public ConcurrentQueue<string> Leftovers { get; } = new();

    public static RecordingBackend Start() => new();

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            while (true)
            {
                int length;
                while ((length = RawHttp.CompleteRequestLength(buffer)) == 0)
                {
                    var read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0)
                    {
                        if (buffer.Count > 0)
                        {
                            Leftovers.Enqueue(Encoding.Latin1.GetString(buffer.ToArray()));
                        }

                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, read));
                }

                Requests.Enqueue(Encoding.Latin1.GetString(buffer.GetRange(0, length).ToArray()));
                buffer.RemoveRange(0, length);
                var body = $"request-{Interlocked.Increment(ref _count)}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}"), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _listener.Dispose();
        _stop.Dispose();
    }
}
