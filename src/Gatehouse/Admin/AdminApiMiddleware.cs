using System.Security.Cryptography;
using System.Text;
using Gatehouse.Admin.Dashboard;
using Gatehouse.Caching.Storage;
using Gatehouse.Lifecycle;
using Gatehouse.Observability.Metrics;
using Gatehouse.Runtime;
using Gatehouse.Tls;
using Yarp.ReverseProxy;

namespace Gatehouse.Admin;

/// <summary>
/// The admin API, served only on the admin listener (see <see cref="AdminConnection"/>); every endpoint is listed in
/// docs/admin.md. With a token configured every request needs <c>Authorization: Bearer TOKEN</c>, except
/// <c>GET /healthz</c> and <c>GET /readyz</c>, which load balancers and orchestrators probe without credentials and
/// which tell nothing but whether Gatehouse is alive and ready.
/// </summary>
internal sealed class AdminApiMiddleware(
    RequestDelegate next,
    GenerationHolder settings,
    IProxyStateLookup proxyState,
    ConfigReloader reloader,
    DestinationControls controls,
    CertificateStore certificates,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    AdminTokenThrottle throttle,
    IServiceProvider services)
{
    private static readonly string[] Endpoints =
    [
        "GET /healthz", "GET /readyz", "GET /dashboard", "GET /dashboard/events", "GET /status", "GET /config", "GET /certificates", "GET /metrics", "POST /config/reload",
        "POST /cache/purge?url=|prefix=|tag=", "POST /destinations/CLUSTER/DESTINATION/drain|disable|enable",
    ];

    public async Task InvokeAsync(HttpContext context)
    {
        _ = next;
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        if (path is "/healthz" or "/readyz" && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)))
        {
            await ProbeAsync(context, path == "/readyz");
            return;
        }

        // The page alone, which holds no data: its feed and its buttons below need the token like every other endpoint.
        if (path == "/dashboard" && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)))
        {
            await DashboardEndpoints.PageAsync(context);
            return;
        }

        var client = context.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(client) is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await AdminJson.WriteAsync(context, StatusCodes.Status429TooManyRequests, new AdminError("too many wrong admin tokens from this address; see Retry-After"));
            return;
        }

        if (!Authorized(context.Request.Headers.Authorization.ToString(), settings.Current.Config.Admin.Token))
        {
            throttle.Failed(client);
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"gatehouse-admin\"";
            await AdminJson.WriteAsync(context, StatusCodes.Status401Unauthorized, new AdminError("a valid admin token is required"));
            return;
        }

        switch (path)
        {
            case "/status" when HttpMethods.IsGet(method):
                await AdminJson.WriteAsync(context, StatusCodes.Status200OK,
                    AdminStatus.Build(reloader.Revision, settings.Current.Config, proxyState, controls, services.GetService<IHttpCacheStore>(), services.GetService<Cluster.ClusterConnection>()));
                break;
            case "/config" when HttpMethods.IsGet(method):
                await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new AdminConfigBody(reloader.Revision, ConfigRedaction.Redact(settings.Current.Config)));
                break;
            case "/dashboard/events" when HttpMethods.IsGet(method):
                await services.GetRequiredService<DashboardEndpoints>().EventsAsync(context);
                break;
            case "/certificates" when HttpMethods.IsGet(method):
                await AdminJson.WriteAsync(context, StatusCodes.Status200OK, AdminCertificates.Build(certificates, time.GetUtcNow()));
                break;
            case "/metrics" when HttpMethods.IsGet(method):
                await WriteMetricsAsync(context);
                break;
            case "/config/reload" when HttpMethods.IsPost(method):
                var outcome = await reloader.ReloadAsync("admin API");
                await AdminJson.WriteAsync(context, outcome.Applied ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity,
                    new AdminReloadBody(outcome.Applied, outcome.Revision, outcome.Errors.Select(e => e.ToString())));
                break;
            case "/cache/purge" when HttpMethods.IsPost(method):
                await AdminCachePurge.PurgeAsync(context, settings, services);
                break;
            case var _ when AdminDestinations.Parse(path) is { } target && HttpMethods.IsPost(method):
                var (status, body) = AdminDestinations.Apply(target.Cluster, target.Destination, target.Action, proxyState, controls);
                await AdminJson.WriteAsync(context, status, body);
                break;
            case "/status" or "/config" or "/certificates" or "/metrics" or "/config/reload" or "/cache/purge":
            case var _ when AdminDestinations.Parse(path) is not null:
                context.Response.Headers.Allow = path is "/status" or "/config" or "/certificates" or "/metrics" ? "GET" : "POST";
                await AdminJson.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, new AdminError($"{method} is not allowed on {path}"));
                break;
            default:
                await AdminJson.WriteAsync(context, StatusCodes.Status404NotFound, new AdminUnknownEndpoint($"no admin endpoint {path}", Endpoints));
                break;
        }
    }

    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: 200 when ready, else 503 with every reason.</summary>
    private async Task ProbeAsync(HttpContext context, bool readiness)
    {
        if (!readiness)
        {
            await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new AdminProbe("alive"));
            return;
        }

        var config = settings.Current.Config;
        var wanted = config.Tls.Internal.Hosts.Concat(config.Tls.Acme.Groups().SelectMany(g => g)).Distinct(StringComparer.OrdinalIgnoreCase);
        var problems = Readiness.Problems(new ReadinessFacts(
            lifetime.ApplicationStarted.IsCancellationRequested,
            lifetime.ApplicationStopping.IsCancellationRequested,
            reloader.Revision,
            config.Listeners.Count(l => l.Tls is not null),
            certificates.Select(null) is not null,
            wanted.Where(h => !certificates.HasCertificateFor(h)).ToList()));
        await AdminJson.WriteAsync(context, problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
            new AdminReadiness(problems.Count == 0 ? "ready" : "not ready", problems));
    }

    /// <summary><c>/metrics</c>: every metric in Prometheus text format (docs/operations.md); 404 when metrics are off.</summary>
    private async Task WriteMetricsAsync(HttpContext context)
    {
        if (services.GetService<MetricsCollector>() is not { } metrics)
        {
            await AdminJson.WriteAsync(context, StatusCodes.Status404NotFound, new AdminError("metrics are off (metrics.enabled: false)"));
            return;
        }

        context.Response.ContentType = PrometheusText.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(PrometheusText.Write(metrics.Collect()), context.RequestAborted);
    }

    private static bool Authorized(string header, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
