using System.Net;
using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.ProxyProtocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gatehouse.Protection;

/// <summary>
/// The connection middleware of a listener with a <c>proxyProtocol</c> section. It runs first, before the per-client
/// connection limit and before any TLS handshake: a peer outside the trusted senders is closed without a byte read; a
/// trusted one must send a whole, valid header (v1 or v2) within the header timeout, or is closed. The header is
/// consumed from the transport, so TLS and HTTP see the bytes after it, and the client it names becomes the
/// connection's remote endpoint: Kestrel's <c>RemoteIpAddress</c> and <c>RemotePort</c>, and so the access log, IP
/// lists, rate limits, the connection limit and X-Forwarded-For. A header without a client (v1 UNKNOWN, v2 LOCAL: the
/// balancer's own health check) keeps the sender's address.
/// </summary>
public static class ProxyProtocolListener
{
    private static readonly object Key = new();

    /// <summary>The header this connection began with, for whoever needs more than the client's address (its TLVs).</summary>
    public static ProxyHeader? Of(IDictionary<object, object?> connectionItems) =>
        connectionItems.TryGetValue(Key, out var header) ? header as ProxyHeader : null;

    public static void UseProxyProtocol(this ListenOptions listen, ListenerProxyProtocolDefinition? settings)
    {
        if (settings is null)
        {
            return;
        }

        var trusted = IpNetworkList.From(settings.TrustedSenders);
        var timeout = settings.HeaderTimeout.Value ?? TimeSpan.FromSeconds(5);
        var time = listen.ApplicationServices.GetRequiredService<TimeProvider>();
        var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProxyProtocolListener).FullName!);
        listen.Use(next => async connection =>
        {
            var refusal = await AcceptAsync(connection, trusted, timeout, time);
            if (refusal is not null)
            {
                GatehouseLog.ProxyProtocolRefused(logger, connection.RemoteEndPoint?.ToString() ?? "?", refusal);
                connection.Abort(new ConnectionAbortedException("PROXY protocol: " + refusal));
                return;
            }

            await next(connection);
        });
    }

    /// <summary>Reads and applies the header; the reason to refuse the connection, or null when it may go on.</summary>
    internal static async Task<string?> AcceptAsync(ConnectionContext connection, IpNetworkList trusted, TimeSpan timeout, TimeProvider time)
    {
        if (connection.RemoteEndPoint is not IPEndPoint peer || !trusted.Contains(peer.Address))
        {
            return "not a trusted sender";
        }

        var input = connection.Transport.Input;
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token);
                var buffer = result.Buffer;
                var status = ProxyHeaderParser.TryParse(buffer, out var header, out var consumed);
                if (status == ProxyParseStatus.Done)
                {
                    input.AdvanceTo(buffer.GetPosition(consumed));
                    connection.Items[Key] = header;
                    if (header!.CarriesClient)
                    {
                        connection.RemoteEndPoint = header.Source;
                    }

                    return null;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (status == ProxyParseStatus.Invalid)
                {
                    return "no valid PROXY protocol header";
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return "closed before the whole PROXY protocol header";
                }
            }
        }
        catch (OperationCanceledException)
        {
            return $"no whole PROXY protocol header within {timeout.TotalSeconds:0.###}s";
        }
    }
}
