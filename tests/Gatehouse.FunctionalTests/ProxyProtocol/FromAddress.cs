using System.Net;
using System.Net.Sockets;

namespace Gatehouse.FunctionalTests.ProxyProtocol;

/// <summary>
/// Connections from a chosen loopback address (Linux routes all of 127.0.0.0/8 to lo), so that a test has clients and
/// load balancers with addresses of their own: a trusted sender, an untrusted one, a denied client.
/// </summary>
internal static class FromAddress
{
    public static async Task<Socket> ConnectAsync(string source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(TimeSpan.FromSeconds(10));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HttpClient whose connections come from <paramref name="source"/>.</summary>
    public static HttpClient Client(string source, int port) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        ConnectCallback = async (context, cancellation) => new NetworkStream(await ConnectAsync(source, context.DnsEndPoint.Port), ownsSocket: true),
    })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>An HttpClient whose connections come from <paramref name="source"/> and begin with <paramref name="header"/>.</summary>
    public static HttpClient ClientWithHeader(string source, int port, byte[] header) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        ConnectCallback = async (context, cancellation) =>
        {
            var socket = await ConnectAsync(source, context.DnsEndPoint.Port);
            await socket.SendAsync(header, SocketFlags.None, cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Connects from <paramref name="source"/>, sends <paramref name="bytes"/> and reads until the server closes: what it
    /// answered. A server that refuses at once may reset the connection before the client has seen it established: that
    /// is a refusal too (empty answer), as is a reset later.
    /// </summary>
    public static async Task<string> ExchangeAsync(string source, int port, byte[] bytes, TimeSpan timeout)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(source, port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "";
        }

        using (socket)
        {
            return await SendAndReadToCloseAsync(socket, bytes, timeout);
        }
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> and reads until the server closes: what it answered (empty when it closed without
    /// a word). A reset counts as a close. Bounded by <paramref name="timeout"/>.
    /// </summary>
    public static async Task<string> SendAndReadToCloseAsync(Socket socket, byte[] bytes, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, deadline.Token);
            var buffer = new byte[4096];
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // Reset by the server: it refused the connection.
        }

        return System.Text.Encoding.Latin1.GetString(received.ToArray());
    }
}
