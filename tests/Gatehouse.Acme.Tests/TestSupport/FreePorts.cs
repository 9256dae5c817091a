using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Acme.Tests.TestSupport;

/// <summary>
/// Loopback ports for programs that cannot report the port they bound (pebble, pebble-challtestsrv), and for listeners
/// whose port must be known before they start. Between the check here and the program's own bind the port is free, so it
/// is taken below the kernel's ephemeral range: a port from there (what binding port 0 gives) can meanwhile become the
/// local port of any outgoing connection of the test run, and the program then fails with "address already in use".
/// A port is handed out once per process; another process picking the same one in the same instant is the remaining,
/// small chance (one port of about 20,000).
/// </summary>
internal static class FreePorts
{
    private const int Lowest = 10000;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Given = [];

    public static int Tcp() => Pick(port => CanBind(SocketType.Stream, ProtocolType.Tcp, port));

    public static int Udp() => Pick(port => CanBind(SocketType.Dgram, ProtocolType.Udp, port));

    private static int Pick(Func<int, bool> isFree)
    {
        var below = EphemeralRangeStart();
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Lowest, below);
                if (Given.Add(port) && isFree(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port between {Lowest} and {below} after 1,000 tries");
    }

    private static bool CanBind(SocketType type, ProtocolType protocol, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port the kernel gives to outgoing connections (Linux's ip_local_port_range; 32768 by default).</summary>
    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        var start = File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], out var first)
            ? first
            : 32768;
        return Math.Max(start, Lowest + 1000);
    }

    /// <summary>Waits until something accepts TCP connections on the port, within a bounded deadline.</summary>
    public static async Task WaitForListenerAsync(int port, TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                // A bounded poll for a child process's readiness: nothing else tells when its socket is bound.
                await Task.Delay(20);
            }
            catch (SocketException e)
            {
                throw new TimeoutException($"nothing listens on 127.0.0.1:{port} after {timeout}: {diagnostics()}", e);
            }
        }
    }
}
