using System.Net;
using Gatehouse.Configuration;
using Gatehouse.Protection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gatehouse.Hosting;

/// <summary>The hooks GatehouseServer calls: Kestrel's limits and parser checks, the per-client connection limit, and the two middlewares.</summary>
public static class GatehouseProtection
{
    /// <summary>Kestrel's own limits, from <c>limits</c> (read at start-up only), and the strict header checks.</summary>
    public static void ApplyGatehouseLimits(this KestrelServerOptions kestrel, LimitsDefinition limits, bool strict = true, int? maxConnections = null)
    {
        if (strict)
        {
            // RFC 9112 §2.2 lets a server accept a bare LF as a line end; refusing it leaves one reading of every header block.
            AppContext.SetSwitch("Microsoft.AspNetCore.Server.Kestrel.DisableHttp1LineFeedTerminators", true);
            kestrel.RequestHeaderEncodingSelector = RequestHeaderDecoding.Select;
        }

        var k = kestrel.Limits;
        k.MaxRequestLineSize = (int)(limits.MaxRequestLineBytes.Value ?? k.MaxRequestLineSize);
        k.MaxRequestHeadersTotalSize = (int)(limits.MaxRequestHeadersBytes.Value ?? k.MaxRequestHeadersTotalSize);
        k.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        k.MaxRequestBodySize = limits.MaxRequestBodyBytes.Value;
        k.RequestHeadersTimeout = limits.RequestHeadersTimeout.Value ?? k.RequestHeadersTimeout;
        k.KeepAliveTimeout = limits.KeepAliveTimeout.Value ?? k.KeepAliveTimeout;
        k.MinRequestBodyDataRate = Rate(limits.MinRequestBodyDataRate);
        k.MinResponseDataRate = Rate(limits.MinResponseDataRate);
        k.MaxConcurrentConnections = maxConnections ?? limits.MaxConnections;
        k.MaxConcurrentUpgradedConnections = maxConnections ?? limits.MaxConnections;

        // HTTP/2: Kestrel's defaults, stated here because Http2LimitsTests and docs/protection.md rely on them. More
        // concurrent streams than this on a connection are refused one by one (RST_STREAM REFUSED_STREAM); a client may
        // not grow the HPACK dynamic table past this (COMPRESSION_ERROR). A decoded header list is bounded by
        // MaxRequestHeadersTotalSize and MaxRequestHeaderCount above, however small its encoding.
        k.Http2.MaxStreamsPerConnection = Http2MaxStreamsPerConnection;
        k.Http2.HeaderTableSize = Http2HeaderTableSize;
    }

    public const int Http2MaxStreamsPerConnection = 100;

    public const int Http2HeaderTableSize = 4096;

    /// <summary>The per-client-IP connection limiter for every listener, or null when <c>maxConnectionsPerClient</c> is off.</summary>
    public static ConnectionLimiter? CreateConnectionLimiter(LimitsDefinition limits) =>
        limits.MaxConnectionsPerClient is { } max ? new ConnectionLimiter(max) : null;

    /// <summary>Closes a new connection at once when its client IP already has the maximum open.</summary>
    public static void UseConnectionLimiter(this ListenOptions listen, ConnectionLimiter? limiter)
    {
        if (limiter is null)
        {
            return;
        }

        listen.Use(next => async connection =>
        {
            if ((connection.RemoteEndPoint as IPEndPoint)?.Address is not { } client)
            {
                await next(connection);
                return;
            }

            if (!limiter.TryAcquire(client))
            {
                connection.Abort(new ConnectionAbortedException("too many connections from this client"));
                return;
            }

            try
            {
                await next(connection);
            }
            finally
            {
                limiter.Release(client);
            }
        });
    }

    /// <summary>Before routing, always: the request's path replaced by its canonical form, or 400 (docs/protection.md, "Paths: one canonical form").</summary>
    public static IApplicationBuilder UseGatehouseCanonicalPaths(this IApplicationBuilder app) => app.UseMiddleware<PathCanonicalizationMiddleware>();

    /// <summary>Before routing: the strict HTTP checks.</summary>
    public static IApplicationBuilder UseGatehouseStrictHttp(this IApplicationBuilder app) => app.UseMiddleware<StrictHttpMiddleware>();

    /// <summary>After routing: per-route body limits and unknown hosts.</summary>
    public static IApplicationBuilder UseGatehouseRouteLimits(this IApplicationBuilder app) => app.UseMiddleware<RouteLimitsMiddleware>();

    private static MinDataRate? Rate(MinDataRateDefinition rate) =>
        rate.BytesPerSecond > 0 ? new MinDataRate(rate.BytesPerSecond, rate.GracePeriod.Value ?? TimeSpan.FromSeconds(5)) : null;
}
