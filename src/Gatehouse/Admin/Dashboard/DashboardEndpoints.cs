using System.Text.Json;
using Gatehouse.Caching.Storage;
using Gatehouse.Lifecycle;
using Gatehouse.Observability;
using Gatehouse.Runtime;
using Gatehouse.Tls;
using Yarp.ReverseProxy;

namespace Gatehouse.Admin.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>, the page (one file, no external resource), and <c>GET /dashboard/events</c>, its live feed
/// as server-sent events: one snapshot per second, and one at once whenever a destination's state changes. The page
/// holds no data, so it is served without the token; the feed and the buttons' requests need it (the page sends it as
/// a Bearer header, from the address's <c>#token=</c> fragment, which browsers never send to a server or log).
/// </summary>
internal sealed class DashboardEndpoints(
    GenerationHolder settings,
    IProxyStateLookup proxyState,
    ConfigReloader reloader,
    DestinationControls controls,
    CertificateStore certificates,
    RouteTraffic traffic,
    ReloadHistory reloads,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    IServiceProvider services)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Rates and percentiles are computed over about this much of the past.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Gatehouse.Admin.Dashboard.dashboard.html")!;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    });

    public static async Task PageAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        await response.Body.WriteAsync(Page.Value, context.RequestAborted);
    }

    public async Task EventsAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var changed = new SemaphoreSlim(0);
        void OnChanged() => changed.Release();
        controls.Changed += OnChanged;
        var history = new Queue<(DateTimeOffset Time, IReadOnlyDictionary<string, RouteTrafficSnapshot> Traffic)>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var current = traffic.Snapshot();
                history.Enqueue((now, current));
                while (history.Count > 1 && now - history.Peek().Time > Window)
                {
                    history.Dequeue();
                }

                var snapshot = DashboardSnapshot.Build(settings.Current.Config, reloader.Revision, now, current, history.Peek(), proxyState, controls,
                    services.GetService<IHttpCacheStore>(), certificates, reloads.Recent);
                await response.WriteAsync("data: ", stop.Token);
                await JsonSerializer.SerializeAsync(response.Body, snapshot, AdminJson.Compact.GetTypeInfo(typeof(DashboardEvent)), stop.Token);
                await response.WriteAsync("\n\n", stop.Token);
                await response.Body.FlushAsync(stop.Token);
                await changed.WaitAsync(Interval, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            controls.Changed -= OnChanged;
        }
    }
}
