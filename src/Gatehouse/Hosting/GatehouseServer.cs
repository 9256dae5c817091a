using System.Net;
using Gatehouse.Admin;
using Gatehouse.Caching.Middleware;
using Gatehouse.Compression;
using Gatehouse.StaticFiles;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Lifecycle;
using Gatehouse.Observability;
using Gatehouse.Protection;
using Gatehouse.Protection.Http2Frames;
using Gatehouse.RouteCaching;
using Gatehouse.Routing;
using Gatehouse.Runtime;
using Gatehouse.Tls;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Hosting;

/// <summary>
/// The one place that wires the parts together. Request pipeline, outermost first:
/// client identity → access log → admin API (admin listener only) → per-route counts for the dashboard (admin on) → canonical path → strict HTTP → TLS (ACME HTTP-01, HTTPS redirect, HSTS) → edge (error pages) → routing → route limits and unknown hosts → protection → HTTP cache → compression → gRPC (gRPC-Web, stream data rates) → static files → [proxy pipeline:
/// traffic shaping (split, mirror) → forwarding (timeout, retries, passive health) → session affinity → slow start, room first → load balancing → destination queue → forwarder (FastCGI, lean or YARP)].
/// </summary>
public sealed class GatehouseServer : IAsyncDisposable
{
    private readonly bool _hasAdmin;

    private GatehouseServer(WebApplication app, bool hasAdmin)
    {
        App = app;
        _hasAdmin = hasAdmin;
    }

    public WebApplication App { get; }

    public ConfigReloader Reloader => App.Services.GetRequiredService<ConfigReloader>();

    /// <summary>
    /// The bound addresses (with real ports when the config asked for port 0): the listeners in config order, then the
    /// admin listener when there is one.
    /// </summary>
    public IReadOnlyList<Uri> Addresses =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    /// <summary>The bound addresses of the proxy listeners, without the admin listener's.</summary>
    public IReadOnlyList<Uri> ListenerAddresses => _hasAdmin ? Addresses.SkipLast(1).ToList() : Addresses;

    /// <summary>The admin listener's bound address, when the config has one (it is bound last).</summary>
    public Uri? AdminAddress => _hasAdmin ? Addresses[^1] : null;

    /// <summary>How much the socket transport reads from one client connection ahead of the application: 64 KB.</summary>
    public const long ClientReadAheadBytes = 64 * 1024;

    public static GatehouseServer Create(ConfigSource source, Action<WebApplicationBuilder>? configure = null) => Create(source, parsed: null, configure);

    /// <summary>
    /// A server whose initial generation is compiled from <paramref name="parsed"/>, what the check of
    /// <paramref name="source"/>'s config parsed (<see cref="ConfigLoadResult.Parsed"/>), so that config is checked once.
    /// </summary>
    public static GatehouseServer Create(ConfigSource source, ParsedConfig? parsed, Action<WebApplicationBuilder>? configure = null)
    {
        var config = source.Initial;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Gatehouse",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        builder.Logging.ClearProviders();
        if (config.Log.Format == LogFormats.Json)
        {
            // One object per line: timestamp, level, category, event id, message and the message's fields (State).
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        // Diagnostics go to stderr; stdout belongs to the access log.
        // A full queue (a flood of log lines faster than the terminal takes them) drops lines rather than blocking the
        // request thread that logs: no request waits for stderr (docs/performance.md, inline completions).
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o =>
        {
            o.LogToStandardErrorThreshold = LogLevel.Trace;
            o.QueueFullMode = Microsoft.Extensions.Logging.Console.ConsoleLoggerQueueFullMode.DropWrite;
        });
        builder.Logging.SetMinimumLevel(config.Log.Level switch
        {
            LogLevels.Debug => LogLevel.Debug,
            LogLevels.Warning => LogLevel.Warning,
            LogLevels.Error => LogLevel.Error,
            _ => LogLevel.Information,
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting creates a log scope and an Activity for every request whenever its logger is on at any level, and the
        // Activity then adds a traceparent header to every forwarded request. Gatehouse has its own access log.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        // YARP logs every failed forward with a stack trace; ForwardingMiddleware logs one line per failed attempt instead.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // The host logs a failed start (a port in use) with its whole stack trace; the CLI says it in one line instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // Kestrel's per-connection events are what clients cause; they come down to debug level, counted into one warning
        // per window (ProtocolNoiseLoggerFactory), and show up one by one only when log.level is debug.
        if (config.Log.Level == LogLevels.Debug)
        {
            foreach (var category in ProtocolNoiseLoggerFactory.NoiseCategories)
            {
                builder.Logging.AddFilter(category, LogLevel.Debug);
            }
        }

        var loggerFactory = builder.Services.Single(d => d.ServiceType == typeof(ILoggerFactory));
        builder.Services.Remove(loggerFactory);
        builder.Services.Add(new ServiceDescriptor(typeof(LoggerFactory), loggerFactory.ImplementationType ?? typeof(LoggerFactory), ServiceLifetime.Singleton));
        builder.Services.AddSingleton(sp => new ProtocolNoiseSummary(sp.GetRequiredService<LoggerFactory>().CreateLogger<ProtocolNoiseSummary>(), TimeProvider.System));
        builder.Services.AddSingleton<ILoggerFactory>(sp => new ProtocolNoiseLoggerFactory(sp.GetRequiredService<LoggerFactory>(), sp.GetRequiredService<ProtocolNoiseSummary>()));

        // Measured (bench/run.sh, small responses): about 13% less CPU per request. The price is a 4 KB buffer held by each
        // idle keep-alive connection (4 MB per 1,000), which the connection limits bound.
        // The read-ahead per connection: what the socket transport reads from a client before the application takes it
        // (Kestrel's default is 1 MB). Past it, the client waits in its TCP window. Measured (bench/uploads.sh, 1,000
        // fast chunked uploads of 1 MB to a slow backend): 972 KB per upload held at 1 MB, 259 KB at 64 KB; one 300 MB
        // upload took as long either way. See docs/reliability.md, "Exhaustion".
        // The listen backlog is the kernel's maximum, not Kestrel's 512 (ListenBacklog; measured: a test's burst of 1,000
        // uploads overflowed the accept queues 600-2,400 times with 512).
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.WaitForDataBeforeAllocatingBuffer = false;
            sockets.MaxReadBufferSize = ClientReadAheadBytes;
            sockets.Backlog = ListenBacklog.Kernel();
        });
        var connectionLimiter = GatehouseProtection.CreateConnectionLimiter(config.Limits);
        var memoryTrim = new IdleMemoryTrim(TimeProvider.System);
        builder.Services.AddHostedService(_ => memoryTrim);
        var (fileLimit, openFiles) = (ProcessFileLimit.SoftLimit(), ProcessFileLimit.OpenNow());
        var maxConnections = DescriptorBudget.MaxConnections(config.Limits.MaxConnections, fileLimit, openFiles);
        var http2 = config.Limits.Http2 ?? new();
        var http2Limits = new Http2FrameLimits(http2.MaxControlFrames, http2.ControlFramesPerSecond, http2.MaxResets);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ApplyGatehouseLimits(config.Limits, config.Http.Strict, maxConnections);
            foreach (var listener in config.Listeners)
            {
                // A PROXY protocol header is read first, so that the client it names is the one every later step sees;
                // then the per-client connection limit (before any TLS handshake work); then each connection is
                // tagged with its listener, and a listener with a tls section becomes HTTPS (Tls/).
                void Configure(ListenOptions listen)
                {
                    memoryTrim.Track(listen);
                    listen.UseProxyProtocol(listener.ProxyProtocol);
                    listen.UseClientConnectionPools();
                    listen.UseConnectionLimiter(connectionLimiter);
                    // A plain listener may take HTTP/2 with prior knowledge (h2c), for gRPC clients (docs/grpc.md).
                    if (listener.Tls is null && listener.Protocols is { } protocols)
                    {
                        listen.Protocols = protocols == ListenerProtocols.Http2 ? HttpProtocols.Http2 : HttpProtocols.Http1;
                    }

                    listen.UseGatehouseListener(listener, config, source.Path);
                    // After TLS: HTTP/2 connections get a per-connection frame budget (floods, rapid reset; docs/protection.md).
                    listen.UseHttp2FrameGuard(http2Limits,
                        priorKnowledge: listener.Tls is null && listener.Protocols == ListenerProtocols.Http2);
                }
                if (string.Equals(listener.Address, "localhost", StringComparison.OrdinalIgnoreCase))
                {
                    kestrel.ListenLocalhost(listener.Port!.Value, Configure);
                }
                else
                {
                    kestrel.Listen(IPAddress.Parse(listener.Address), listener.Port!.Value, Configure);
                }
            }

            if (config.Admin.Port is { } adminPort)
            {
                kestrel.Listen(IPAddress.Parse(config.Admin.Address), adminPort, admin => admin.Use(next => connection =>
                {
                    AdminConnection.Mark(connection);
                    return next(connection);
                }));
            }
        });

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.Server.DrainTimeout.Value ?? TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(source);
        builder.Services.AddGatehouseProxy();
        // YARP registers ASP.NET Core authorization for its routes' AuthorizationPolicy, which Gatehouse's config does not
        // map. With the handler provider registered, WebApplication adds the authorization middleware in front of the
        // pipeline: one more async step (and, after routing, an Items dictionary) per request with nothing to check.
        // Gatehouse's own access checks are in Protection/.
        builder.Services.RemoveAll<IAuthorizationHandlerProvider>();
        builder.Services.AddGatehouseProtection();
        // Cluster mode: the Redis connection every shared feature uses (docs/cluster.md); nothing without a cluster section.
        builder.Services.AddGatehouseCluster(config);
        builder.Services.AddHttpCache(cache =>
        {
            cache.MaxBytes = config.Cache.MaxBytes.Value ?? cache.MaxBytes;
            cache.MaxEntryBytes = config.Cache.MaxEntryBytes.Value ?? cache.MaxEntryBytes;
            cache.DiskPath = config.Cache.DiskPath;
            cache.DiskMaxBytes = config.Cache.DiskMaxBytes.Value ?? cache.DiskMaxBytes;
            cache.CollapseTimeout = config.Cache.CollapseTimeout.Value ?? cache.CollapseTimeout;
        });
        builder.Services.AddSingleton<IHttpCacheSettingsProvider, RouteCacheSettingsProvider>();
        builder.Services.AddGatehouseCompression();
        if (parsed is not null)
        {
            builder.Services.AddSingleton(new CheckedConfig(config, parsed));
        }

        builder.Services.AddSingleton<ConfigReloader>();
        builder.Services.AddSingleton<ReloadTelemetry>();
        builder.Services.AddGatehouseTls(source);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigReloader>());
        builder.Services.AddHostedService<ShutdownLog>();
        builder.Services.AddGatehouseObservability(config);
        if (config.AccessLog.Enabled)
        {
            builder.Services.AddSingleton(new AccessLogWriter(config.AccessLog));
        }

        if (config.Admin.Port is not null)
        {
            // The dashboard's sources: per-route counters, the reload history, and its feed.
            builder.Services.AddSingleton<RouteTraffic>();
            builder.Services.AddSingleton<ReloadHistory>();
            builder.Services.AddSingleton<Admin.Dashboard.DashboardEndpoints>();
            builder.Services.AddSingleton<Admin.AdminTokenThrottle>();
        }

        configure?.Invoke(builder);
        var app = builder.Build();

        if (maxConnections != config.Limits.MaxConnections)
        {
            Http.GatehouseLog.MaxConnectionsLowered(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse"),
                config.Limits.MaxConnections?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited", maxConnections ?? 0, fileLimit ?? 0, openFiles);
        }

        if (app.Services.GetService<AccessLogWriter>() is { } accessLog)
        {
            var accessLogLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<AccessLogWriter>();
            accessLog.WriteFailed += ex => Http.GatehouseLog.AccessLogWriteFailed(accessLogLogger, ex.Message);
            accessLog.WriteRecovered += lost => Http.GatehouseLog.AccessLogWriteRecovered(accessLogLogger, lost);
            AccessLogTelemetry.Register(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), accessLog);
        }

        // Load the initial config into YARP's provider before YARP first reads it.
        _ = app.Services.GetRequiredService<ConfigReloader>();
        // The features' observable instruments exist once their owners do: create them before the first scrape.
        _ = app.Services.GetRequiredService<Health.DestinationGauges>();
        _ = app.Services.GetRequiredService<Tls.TlsTelemetry>();
        _ = app.Services.GetRequiredService<ReloadTelemetry>();

        // Before the access log: it logs the client found behind trusted proxies.
        app.UseGatehouseClientIdentity();
        if (config.AccessLog.Enabled)
        {
            app.UseMiddleware<AccessLogMiddleware>();
        }

        // The admin API answers on its own listener only, before any proxy route can see the request.
        if (config.Admin.Port is not null)
        {
            app.MapWhen(AdminConnection.IsAdmin, admin => admin.UseMiddleware<AdminApiMiddleware>());
            // From the start, so the dashboard lists every reload. Admin requests (the branch above) are not counted.
            _ = app.Services.GetRequiredService<ReloadHistory>();
            app.UseMiddleware<RouteTrafficMiddleware>();
        }

        // Metrics and the request's span, for the proxy listeners only (the admin API is not traffic).
        app.UseGatehouseObservability(config);

        // Always (not strict HTTP rules): every later step, and the backend, reads the one canonical path, and no header
        // name a CGI-style backend would read as another, nor an untrusted client's claim of its own address.
        app.UseGatehouseEdgeHeaders();
        app.UseGatehouseCanonicalPaths();
        if (config.Http.Strict)
        {
            app.UseGatehouseStrictHttp();
        }

        // ACME HTTP-01 answers and the HTTPS redirect come before any route; HSTS and client-certificate headers (Tls/).
        app.UseGatehouseTls(config);
        app.UseMiddleware<EdgeMiddleware>();
        app.UseRouting();
        app.UseGatehouseRouteLimits();
        // After routing (per-route rules), before the cache: a refused request is never answered from the cache.
        app.UseGatehouseProtection();
        // After routing (it reads the matched route's cache settings), before the proxy: hits never reach YARP, and
        // misses, validations and background refreshes go through the whole proxy pipeline below.
        app.UseHttpCache();
        // Below the cache: each encoding is a stored variant (Vary: Accept-Encoding), compressed once; above the proxy,
        // so that Gatehouse's own pages are compressed like the backend's (docs/compression.md).
        app.UseGatehouseCompression();
        // gRPC: no minimum body data rate for its streams, and gRPC-Web to gRPC on the routes that take it (docs/grpc.md);
        // inside compression, which leaves gRPC alone.
        app.UseGatehouseGrpc();
        // Files routes answer here (docs/static-files.md): below the cache and compression, above the proxy, which gets
        // the requests no file answers on a route that also names a cluster.
        app.UseGatehouseStaticFiles();
        // No route took the request: Gatehouse's 404, or its page for routing's 405.
        app.UseMiddleware<UnroutedRequestsMiddleware>();
        // ForwardingMiddleware reports each attempt to the passive health policy itself (YARP's middleware for that is
        // one more async step per request), and writes the page when no attempt could answer.
        var generations = app.Services.GetRequiredService<GenerationHolder>();
        var overload = app.Services.GetRequiredService<Overload.OverloadMiddleware>();
        var slowStart = app.Services.GetRequiredService<LoadBalancing.SlowStartFilter>();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<TrafficShaping.TrafficShapingMiddleware>();
            proxy.UseMiddleware<ForwardingMiddleware>();
            proxy.UseSessionAffinity();
            // Slow start and maxConcurrentRequests narrow the candidates; the destination chosen then waits its turn.
            proxy.Use(slowStart.InvokeAsync);
            proxy.Use(overload.PreferRoomAsync);
            proxy.UseLoadBalancing();
            proxy.Use(overload.AdmitAsync);
        }).ConfigureEndpoints((endpoint, route) =>
        {
            // Each route's endpoint carries its own generation's settings (RouteRuntime): one generation per request.
            if (generations.Attach(route) is { } runtime)
            {
                endpoint.WithMetadata(runtime);
            }

            GrpcWeb.MarkEndpoint(endpoint, route);
        });

        return new GatehouseServer(app, config.Admin.Port is not null);
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => App.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => App.StopAsync(cancellationToken);

    public Task RunAsync() => App.RunAsync();

    public async ValueTask DisposeAsync()
    {
        var writer = App.Services.GetService<AccessLogWriter>();
        await App.DisposeAsync();
        if (writer is not null)
        {
            await writer.DisposeAsync();
        }
    }
}
