using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Gatehouse.Tls;

/// <summary>
/// A connection middleware placed before TLS: it reads (without consuming) the first TLS record and notes the ALPN names
/// offered, for TLS-ALPN-01. Used only when an ACME challenge hook is registered.
/// </summary>
internal static class AlpnPeek
{
    private static readonly object Key = new();
    private static readonly TimeSpan PeekTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A ClientHello fits in one record (at most 16 KB) in practice; give up past that.</summary>
    private const int MaxPeekBytes = 16 * 1024 + 5;

    public static IReadOnlyList<string> Offered(ConnectionContext connection) =>
        connection.Items.TryGetValue(Key, out var value) && value is IReadOnlyList<string> names ? names : [];

    public static async Task PeekAsync(ConnectionContext connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(PeekTimeout);
        var input = connection.Transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                var status = ClientHello.TryReadAlpn(buffer, out var names);
                if (status != ClientHello.ReadStatus.NeedMoreData || result.IsCompleted || buffer.Length >= MaxPeekBytes)
                {
                    connection.Items[Key] = names;
                    // Nothing consumed: the TLS handshake reads the same bytes.
                    input.AdvanceTo(buffer.Start);
                    return;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            // Silent or gone client; the handshake that follows times out or fails on its own.
        }
    }
}
