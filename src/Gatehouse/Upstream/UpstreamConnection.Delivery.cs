using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gatehouse.Upstream;

/// <summary>
/// Whether the backend can have seen the request that a reused connection failed on (issue 16: a client request
/// reaches the backend at most once).
/// </summary>
/// <remarks>
/// The race: a backend answers and closes without saying so (no <c>Connection: close</c>), and the next request takes
/// the connection before the close arrives. Its bytes reach a socket the backend has closed, so the backend's kernel
/// answers them with a reset and never acknowledges them. A backend that read the request and then closed has
/// acknowledged it. Linux's TCP_INFO shows both facts: the connection's state (closed by the reset) and the bytes the
/// peer acknowledged (<c>tcpi_bytes_acked</c>, which counts the SYN as one). So "reset, and not one byte of this
/// request acknowledged" proves the backend's application never read it, and only then is it sent again. Anything
/// else (no reset yet, some bytes acknowledged, a platform without TCP_INFO, a streamed body) is not a proof.
/// </remarks>
internal sealed partial class UpstreamConnection
{
    private const int SolTcp = 6;
    private const int TcpInfo = 11;
    private const byte TcpStateClose = 7;
    private const int TcpInfoLength = 128;
    private const int RttOffset = 68;
    private const int BytesAckedOffset = 120;
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxWaitForReset = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// After the last exchange failed with no response byte: true only when the kernel shows the backend reset the
    /// connection without acknowledging a byte of the request. A reset that is still on its way (the backend's close
    /// was read first) is waited for, up to two round trips (at most 200 ms).
    /// </summary>
    public async ValueTask<bool> LastRequestProvablyUnreadAsync(TimeProvider time, CancellationToken cancellation)
    {
        if (!_sentKnown || !OperatingSystem.IsLinux())
        {
            return false;
        }

        var started = time.GetTimestamp();
        while (true)
        {
            if (!TryReadTcpInfo(out var state, out var acked, out var rtt) || acked > (ulong)(_sentBeforeExchange + 1))
            {
                return false;
            }

            if (state == TcpStateClose)
            {
                return true;
            }

            var budget = TimeSpan.FromTicks(Math.Clamp(2 * rtt.Ticks, PollStep.Ticks, MaxWaitForReset.Ticks));
            if (time.GetElapsedTime(started) >= budget)
            {
                return false;
            }

            await Task.Delay(PollStep, time, cancellation);
        }
    }

    private bool TryReadTcpInfo(out byte state, out ulong bytesAcked, out TimeSpan rtt)
    {
        Span<byte> info = stackalloc byte[TcpInfoLength + 64];
        state = 0;
        bytesAcked = 0;
        rtt = TimeSpan.Zero;
        try
        {
            if (_socket.GetRawSocketOption(SolTcp, TcpInfo, info) < TcpInfoLength)
            {
                return false;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return false;
        }

        state = info[0];
        rtt = TimeSpan.FromMicroseconds(MemoryMarshal.Read<uint>(info[RttOffset..]));
        bytesAcked = MemoryMarshal.Read<ulong>(info[BytesAckedOffset..]); // native byte order, as the kernel wrote it;
        return true;
    }
}
