using System.Net;
using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>
/// A real Kestrel app on 127.0.0.1 with <c>app.UseHttpCache()</c> in front of a tiny forwarding terminal that sends
/// each request to an <see cref="Middleware.Origin"/> with HttpClient and streams the answer back. An unreachable
/// origin makes the terminal throw, as a transport failure would.
/// </summary>
internal sealed class CacheHost : IAsyncDisposable
{
    /// <summary>The targeted field the tests' routes give the cache as its own.</summary>
    public const string OwnField = "Gatehouse-Cache-Control";

    public static readonly HttpCacheRouteSettings Settings = new()
    {
        OwnTargetedField = OwnField,
        Policy = CachePolicy.Default with { TargetedFieldNames = [OwnField, CachePolicy.CdnCacheControl] },
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private CacheHost(WebApplication app, HttpClient upstream, FakeTimeProvider time, Origin origin)
    {
        _app = app;
        _upstream = upstream;
        Time = time;
        Origin = origin;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public HttpClient Client { get; }

    public FakeTimeProvider Time { get; }

    public Origin Origin { get; }

    public IServiceProvider Services => _app.Services;

    public IHttpCacheStore Store => Services.GetRequiredService<IHttpCacheStore>();

    internal RequestCollapsing Collapsing => Services.GetRequiredService<RequestCollapsing>();

    /// <summary>
    /// Starts an origin and a cache in front of it. Paths under <c>/uncached</c> are not cached; the others use
    /// <paramref name="settings"/> (default <see cref="Settings"/>). <paramref name="store"/> null: the store AddHttpCache registers.
    /// </summary>
    public static async Task<CacheHost> StartAsync(
        IHttpCacheStore? store = null,
        HttpCacheRouteSettings? settings = null,
        Action<HttpCacheOptions>? configure = null,
        bool throughYarp = false)
    {
        var time = new FakeTimeProvider(TruncatedToSeconds(DateTimeOffset.UtcNow));
        var origin = await Origin.StartAsync(time);
        var upstream = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddHttpCache(configure);
        if (store is not null)
        {
            builder.Services.AddSingleton(store);
        }
        var routeSettings = settings ?? Settings;
        builder.Services.AddSingleton<IHttpCacheSettingsProvider>(new PathSettings(routeSettings, throughYarp));
        if (throughYarp)
        {
            builder.Services.AddReverseProxy().LoadFromMemory(
                [new RouteConfig { RouteId = "all", ClusterId = "origin", Match = new RouteMatch { Path = "{**rest}" } }],
                [new ClusterConfig { ClusterId = "origin", Destinations = new Dictionary<string, DestinationConfig> { ["origin"] = new() { Address = origin.Address.ToString() } } }]);
        }
        var app = builder.Build();
        // WebApplication runs routing first, so the settings provider sees the endpoint; the proxy endpoint comes last.
        app.UseHttpCache();
        if (throughYarp)
        {
            app.MapReverseProxy();
        }
        else
        {
            app.Run(context => ForwardAsync(context, upstream, origin.Address));
        }
        await app.StartAsync();
        return new CacheHost(app, upstream, time, origin);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
        await Origin.DisposeAsync();
    }

    private static DateTimeOffset TruncatedToSeconds(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Proxy-Connection", "Host",
    };

    /// <summary>The origin's stand-in for a proxy: request and response streamed, nothing buffered.</summary>
    private static async Task ForwardAsync(HttpContext context, HttpClient upstream, Uri origin)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(origin, request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent()));
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(request.Body);
        }
        foreach (var (name, value) in request.Headers)
        {
            if (!HopByHop.Contains(name) && !message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
            }
        }
        using var response = await upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        await body.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>Caches every path but those under /uncached; behind YARP, only requests that matched its route.</summary>
    private sealed class PathSettings(HttpCacheRouteSettings settings, bool needsEndpoint) : IHttpCacheSettingsProvider
    {
        public HttpCacheRouteSettings? GetSettings(HttpContext context) =>
            context.Request.Path.StartsWithSegments("/uncached") || (needsEndpoint && context.GetEndpoint() is null) ? null : settings;
    }
}
