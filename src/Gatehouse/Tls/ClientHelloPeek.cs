using Gatehouse.Acme.Challenges;
using Microsoft.AspNetCore.Connections;

namespace Gatehouse.Tls;

/// <summary>
/// A connection middleware placed before TLS: it reads (without consuming) the ClientHello and notes what it offers
/// (TLS 1.3, and the ALPN names when asked, for TLS-ALPN-01). The handshake callback then chooses its options from it.
/// Costs no allocation when the ClientHello has already arrived in one piece and no ALPN names are wanted.
/// </summary>
/// <remarks>
/// A client that sends no complete ClientHello within the handshake timeout (<c>tls.handshakeTimeout</c>)
/// could not have finished the handshake in time either: its connection is closed there, so the peek does not add
/// its wait to the handshake's.
/// </remarks>
internal static class ClientHelloPeek
{
    private static readonly object Key = new();
    private static readonly TlsClientHello.Offer Nothing = new(false, []);

    // Boxed once: most connections store one of these.
    private static readonly object Tls13Offered = new TlsClientHello.Offer(true, []);
    private static readonly object Tls13NotOffered = Nothing;

    /// <summary>What the peeked ClientHello offered; nothing when it was not peeked or could not be read.</summary>
    public static TlsClientHello.Offer Of(ConnectionContext connection) =>
        connection.Items.TryGetValue(Key, out var value) && value is TlsClientHello.Offer offer ? offer : Nothing;

    /// <summary>Peeks; false when the client stayed silent (or half-sent) past the timeout: close the connection then.</summary>
    public static async Task<bool> PeekAsync(ConnectionContext connection, bool readAlpn, TimeSpan timeout, TimeProvider time)
    {
        var input = connection.Transport.Input;
        CancellationTokenSource? timer = null;
        try
        {
            while (true)
            {
                if (!input.TryRead(out var result))
                {
                    // A client that closes completes the read; only silence needs the timer.
                    timer ??= new CancellationTokenSource(timeout, time);

                    result = await input.ReadAsync(timer.Token);
                }

                var buffer = result.Buffer;
                var status = TlsClientHello.TryRead(buffer, readAlpn, out var offer);
                if (status != TlsClientHello.ReadStatus.NeedMoreData || result.IsCompleted || result.IsCanceled || buffer.Length >= TlsClientHello.MaxPeekBytes)
                {
                    if (status == TlsClientHello.ReadStatus.Done)
                    {
                        connection.Items[Key] = offer.Alpn.Count > 0 ? offer : offer.Tls13 ? Tls13Offered : Tls13NotOffered;
                    }

                    // Nothing consumed: the TLS handshake reads the same bytes.
                    input.AdvanceTo(buffer.Start);
                    return true;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            timer?.Dispose();
        }
    }
}
