using System.Diagnostics;
using Gatehouse.Caching.Middleware;
using Gatehouse.Http;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Observability;

/// <summary>Outermost middleware: one log line per request, written after the response completed.</summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer, TimeProvider time, IOptions<HttpCacheOptions> cache)
{
    private readonly string _cacheName = cache.Value.CacheName;

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        // Taken now: later steps may put a linked token (a route timeout) in its place for a while.
        var clientAborted = context.RequestAborted;
        var counter = new ByteCountingStream(context.Response.Body);
        context.Response.Body = counter;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = counter.Inner;
            Log(context, counter.BytesWritten, time.GetElapsedTime(started), clientAborted.IsCancellationRequested);
        }
    }

    private void Log(HttpContext context, long bytes, TimeSpan elapsed, bool clientAborted)
    {
        var request = context.Request;
        var proxy = context.Features.Get<IReverseProxyFeature>();
        // Refusals (401, 403, 429), cache hits and Gatehouse's own pages never reach the proxy step, but routing ran: its
        // endpoint names the route. Requests answered before routing (strict HTTP, the HTTPS redirect, ACME challenges)
        // or that matched no route (421/404 for unknown hosts) have none.
        var route = proxy?.Route.Config ?? context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config;
        var json = writer.Format == Configuration.AccessLogFormats.Json;
        var forwarding = context.Features.Get<ForwardingState>();
        // The request's span (Tracing/RequestSpans) when tracing is on.
        var traceId = context.Features.Get<IHttpActivityFeature>()?.Activity is { } span ? span.TraceId.ToHexString() : null;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path + request.QueryString).ToString();
        var entry = new AccessLogEntry(
            time.GetUtcNow(),
            context.Connection.RemoteIpAddress?.ToString(),
            request.Method,
            target,
            request.Protocol,
            AccessLogStatus.Of(context.Response.StatusCode, clientAborted),
            bytes,
            elapsed.TotalMilliseconds,
            request.Headers.Referer.ToString(),
            request.Headers.UserAgent.ToString(),
            request.Host.Value,
            route?.RouteId,
            proxy?.Cluster.Config.ClusterId ?? route?.ClusterId,
            proxy?.ProxiedDestination?.DestinationId,
            forwarding?.Attempts ?? 0,
            json || traceId is not null ? RequestIds.Of(context) : null,
            json ? CacheOutcome.FromCacheStatus(context.Response.Headers["Cache-Status"], _cacheName) : null,
            forwarding is { Attempts: > 0 } ? forwarding.UpstreamTime.TotalMilliseconds : null,
            traceId);
        writer.Write(json ? AccessLogFormatter.Json(entry) : AccessLogFormatter.Combined(entry));
    }
}

/// <summary>Passes writes through and counts the bytes, for the log's bytes-sent field.</summary>
internal sealed class ByteCountingStream(Stream inner) : Stream
{
    public Stream Inner => inner;

    public long BytesWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        BytesWritten += count;
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        BytesWritten += buffer.Length;
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        BytesWritten += count;
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BytesWritten += buffer.Length;
        return inner.WriteAsync(buffer, cancellationToken);
    }
}
