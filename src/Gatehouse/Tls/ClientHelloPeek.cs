using Microsoft.AspNetCore.Connections;

namespace Gatehouse.Tls;

/// <summary>
/// A connection middleware placed before TLS: it reads (without consuming) the ClientHello and notes what it offers
/// (TLS 1.3, and the ALPN names when asked, for TLS-ALPN-01). The handshake callback then chooses its options from it.
/// Costs no allocation when the ClientHello has already arrived in one piece and no ALPN names are wanted.
/// </summary>
internal static class ClientHelloPeek
{
    private static readonly object Key = new();
    private static readonly TimeSpan PeekTimeout = TimeSpan.FromSeconds(10);
    private static readonly ClientHello.Offer Nothing = new(false, []);

    // Boxed once: most connections store one of these.
    private static readonly object Tls13Offered = new ClientHello.Offer(true, []);
    private static readonly object Tls13NotOffered = Nothing;

    /// <summary>What the peeked ClientHello offered; nothing when it was not peeked or could not be read.</summary>
    public static ClientHello.Offer Of(ConnectionContext connection) =>
        connection.Items.TryGetValue(Key, out var value) && value is ClientHello.Offer offer ? offer : Nothing;

    public static async Task PeekAsync(ConnectionContext connection, bool readAlpn)
    {
        var input = connection.Transport.Input;
        CancellationTokenSource? timeout = null;
        try
        {
            while (true)
            {
                if (!input.TryRead(out var result))
                {
                    if (timeout is null)
                    {
                        timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
                        timeout.CancelAfter(PeekTimeout);
                    }

                    result = await input.ReadAsync(timeout.Token);
                }

                var buffer = result.Buffer;
                var status = ClientHello.TryRead(buffer, readAlpn, out var offer);
                if (status != ClientHello.ReadStatus.NeedMoreData || result.IsCompleted || result.IsCanceled || buffer.Length >= ClientHello.MaxPeekBytes)
                {
                    if (status == ClientHello.ReadStatus.Done)
                    {
                        connection.Items[Key] = offer.Alpn.Count > 0 ? offer : offer.Tls13 ? Tls13Offered : Tls13NotOffered;
                    }

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
        finally
        {
            timeout?.Dispose();
        }
    }
}
