using System.Collections.Concurrent;
using Gatehouse.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.TrafficShaping;

/// <summary>
/// Copies requests to a route's shadow cluster. A copy is made only when the route has a free slot
/// (<see cref="MirrorSlots"/>) and its body fits <see cref="RouteMirror.MaxBodyBytes"/>; it is sent apart from the
/// client's request (nothing awaits it), over the shadow cluster's own HTTP client, bounded by its timeout, and its
/// response is discarded unread. A failure is counted and logged at debug level, never seen by the client.
/// </summary>
internal sealed class MirrorSender(IProxyStateLookup proxyState, ShapingTelemetry telemetry, IHostApplicationLifetime lifetime,
    TimeProvider time, ILogger<MirrorSender> logger)
{
    // RFC 9110 §7.6.1 connection-specific fields, and Host (the shadow destination's own authority is sent, as YARP does).
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
    };

    private readonly ConcurrentDictionary<string, MirrorSlots> _slots = new(StringComparer.Ordinal);
    private int _nextDestination;

    /// <summary>Copies of <paramref name="route"/> in flight now.</summary>
    public int InFlight(string route) => _slots.TryGetValue(route, out var slots) ? slots.InFlight : 0;

    /// <summary>
    /// Starts a copy of the request, when a slot is free and the body fits. A body is read here, up to the limit, and
    /// the client's request then reads it from that copy (or, when it was too large, from the bytes read followed by
    /// the rest): the request goes on unchanged whatever happens to its copy.
    /// </summary>
    public async ValueTask CopyAsync(HttpContext context, string route, RouteMirror mirror)
    {
        var slots = _slots.GetOrAdd(route, _ => new MirrorSlots());
        if (!slots.TryTake(mirror.MaxConcurrent))
        {
            telemetry.Drop(route, "full");
            return;
        }

        var request = context.Request;
        var hasBody = request.ContentLength > 0
            || (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
        ReadOnlyMemory<byte>? body = null;
        if (hasBody)
        {
            body = await ReadBodyAsync(context, mirror.MaxBodyBytes);
            if (body is null)
            {
                slots.Return();
                telemetry.Drop(route, "body_too_large");
                return;
            }
        }

        if (!proxyState.TryGetCluster(mirror.Cluster, out var cluster) || cluster.DestinationsState.AvailableDestinations is not { Count: > 0 } destinations)
        {
            slots.Return();
            telemetry.Drop(route, "no_destination");
            return;
        }

        var destination = destinations[(int)((uint)Interlocked.Increment(ref _nextDestination) % (uint)destinations.Count)];
        var message = Copy(request, destination.Model.Config.Address, body, cluster.Model.Config.HttpRequest);
        telemetry.Started(route);
        _ = Task.Run(() => SendAsync(cluster.Model.HttpClient, message, route, mirror, slots));
    }

    /// <summary>
    /// The body, read whole when it is at most <paramref name="limit"/> bytes (the request then reads this copy); null
    /// when it is larger or could not be read (the request then reads what was read, followed by the rest, and meets
    /// the same failure the forwarder would have).
    /// </summary>
    private static async ValueTask<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new byte[(int)Math.Min(request.ContentLength ?? limit + 1, limit + 1)];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
            }
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            // The client went away or sent more than the route allows: the forwarder meets the same failure and reports it.
            request.Body = new PrefixedBodyStream(buffer.AsMemory(0, length), request.Body);
            return null;
        }

        if (length > limit)
        {
            request.Body = new PrefixedBodyStream(buffer.AsMemory(0, length), request.Body);
            return null;
        }

        request.Body = new MemoryStream(buffer, 0, length, writable: false);
        return buffer.AsMemory(0, length);
    }

    private static HttpRequestMessage Copy(HttpRequest request, string destinationPrefix, ReadOnlyMemory<byte>? body, ForwarderRequestConfig? config)
    {
        var message = new HttpRequestMessage(HttpMethod.Parse(request.Method),
            RequestUtilities.MakeDestinationAddress(destinationPrefix, request.Path, request.QueryString))
        {
            Version = config?.Version ?? System.Net.HttpVersion.Version11,
            VersionPolicy = config?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
        };
        if (body is { } bytes)
        {
            message.Content = new ReadOnlyMemoryContent(bytes);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(':') || NotCopied.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return message;
    }

    private async Task SendAsync(HttpMessageInvoker client, HttpRequestMessage message, string route, RouteMirror mirror, MirrorSlots slots)
    {
        var outcome = "failed";
        using var timeout = new CancellationTokenSource(mirror.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, lifetime.ApplicationStopping);
        try
        {
            // Until the response head only: the body is never read, and disposing the response gives the connection back
            // (or closes it), so a shadow that streams forever holds nothing either.
            using var response = await client.SendAsync(message, linked.Token);
            outcome = "sent";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            outcome = "timed_out";
        }
        catch (Exception e)
        {
            GatehouseLog.MirrorFailed(logger, route, message.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "-", e.GetBaseException().Message);
        }
        finally
        {
            message.Dispose();
            slots.Return();
            telemetry.Ended(route, outcome);
        }
    }
}
