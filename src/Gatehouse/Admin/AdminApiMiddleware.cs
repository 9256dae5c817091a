using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Caching;
using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Observability.Metrics;
using Gatehouse.Runtime;
using Yarp.ReverseProxy;

namespace Gatehouse.Admin;

/// <summary>
/// The admin API, served only on the admin listener (see <see cref="AdminConnection"/>):
/// <list type="bullet">
/// <item><c>GET /status</c>: config revision, clusters and the health of each destination (JSON).</item>
/// <item><c>POST /config/reload</c>: reload the config file now (as SIGHUP does).</item>
/// <item><c>POST /cache/purge?url=…</c>, <c>?prefix=…</c> or <c>?tag=…</c>: remove cached responses at once.</item>
/// <item><c>GET /metrics</c>: every metric in Prometheus text format (docs/operations.md).</item>
/// </list>
/// With a token configured every request needs <c>Authorization: Bearer TOKEN</c>.
/// </summary>
internal sealed class AdminApiMiddleware(RequestDelegate next, GenerationHolder settings, IProxyStateLookup proxyState, ConfigReloader reloader, IServiceProvider services)
{
    private static readonly string[] Endpoints = ["GET /status", "GET /metrics", "POST /config/reload", "POST /cache/purge?url=|prefix=|tag="];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task InvokeAsync(HttpContext context)
    {
        _ = next;
        if (!Authorized(context.Request.Headers.Authorization.ToString(), settings.Current.Config.Admin.Token))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"gatehouse-admin\"";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, new { error = "a valid admin token is required" });
            return;
        }

        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        switch (path)
        {
            case "/status" when HttpMethods.IsGet(method):
                await WriteAsync(context, StatusCodes.Status200OK, Status());
                break;
            case "/metrics" when HttpMethods.IsGet(method):
                await WriteMetricsAsync(context);
                break;
            case "/config/reload" when HttpMethods.IsPost(method):
                var outcome = await reloader.ReloadAsync("admin API");
                await WriteAsync(context, outcome.Applied ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity,
                    new { applied = outcome.Applied, revision = outcome.Revision, errors = outcome.Errors.Select(e => e.ToString()) });
                break;
            case "/cache/purge" when HttpMethods.IsPost(method):
                await PurgeAsync(context);
                break;
            case "/status" or "/metrics" or "/config/reload" or "/cache/purge":
                context.Response.Headers.Allow = path is "/status" or "/metrics" ? "GET" : "POST";
                await WriteAsync(context, StatusCodes.Status405MethodNotAllowed, new { error = $"{method} is not allowed on {path}" });
                break;
            default:
                await WriteAsync(context, StatusCodes.Status404NotFound, new { error = $"no admin endpoint {path}", endpoints = Endpoints });
                break;
        }
    }

    private object Status() => new
    {
        revision = reloader.Revision,
        clusters = proxyState.GetClusters().Select(c => new
        {
            id = c.ClusterId,
            destinations = c.Destinations.Values.Select(d => new
            {
                id = d.DestinationId,
                active = d.Health.Active.ToString(),
                passive = d.Health.Passive.ToString(),
                concurrentRequests = d.ConcurrentRequestCount,
            }),
        }),
        cache = services.GetService<IHttpCacheStore>()?.Statistics,
    };

    private async Task WriteMetricsAsync(HttpContext context)
    {
        if (services.GetService<MetricsCollector>() is not { } metrics)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, new { error = "metrics are off (metrics.enabled: false)" });
            return;
        }

        context.Response.ContentType = PrometheusText.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(PrometheusText.Write(metrics.Collect()), context.RequestAborted);
    }

    private async Task PurgeAsync(HttpContext context)
    {
        // Through HttpCachePurge, not the store: a purge then wins over the fetches in flight for what it removes.
        if (services.GetService<HttpCachePurge>() is not { } purge)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, new { error = "the cache is not enabled" });
            return;
        }

        var query = context.Request.Query;
        var (url, prefix, tag) = (query["url"].ToString(), query["prefix"].ToString(), query["tag"].ToString());
        if (new[] { url, prefix, tag }.Count(v => v.Length > 0) != 1)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, new { error = "give exactly one of url, prefix or tag" });
            return;
        }

        int purged;
        if (tag.Length > 0)
        {
            purged = await purge.PurgeTagAsync(tag, context.RequestAborted);
        }
        else if (!Uri.TryCreate(url.Length > 0 ? url : prefix, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, new { error = "url and prefix must be absolute http(s) URLs, such as http://example.com/images/" });
            return;
        }
        else if (url.Length > 0)
        {
            // Each cached route may shape its keys differently (ignored or sorted query parameters): try every shape.
            var targets = settings.Current.Routes.Values.Select(r => r.Get<HttpCacheRouteSettings>()?.Key).OfType<CacheKeyOptions>().Append(CacheKeyOptions.Default)
                .Select(options => CacheKey.TargetOf(uri, options)).Distinct(StringComparer.Ordinal);
            purged = 0;
            foreach (var target in targets)
            {
                purged += await purge.PurgeTargetAsync(target, context.RequestAborted);
            }
        }
        else
        {
            var target = CacheKey.TargetOf(uri, CacheKeyOptions.Default);
            // A prefix ending in "/" must not lose it, but TargetOf keeps the path as given; an empty path is the root.
            purged = await purge.PurgeTargetPrefixAsync(target, context.RequestAborted);
        }

        await WriteAsync(context, StatusCodes.Status200OK, new { purged });
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

    private static async Task WriteAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Json, context.RequestAborted);
    }
}
