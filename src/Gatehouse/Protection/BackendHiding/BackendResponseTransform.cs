using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Protection;
using Gatehouse.Runtime;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Protection;

/// <summary>
/// Runs on every backend response, after YARP copied status and headers and before any body byte is sent: drops headers
/// that reveal the backend and those the backend named in Connection, rewrites URLs and cookie domains naming a
/// destination, ends the route timeout, holds back a retryable status so the attempt loop can try again, and marks an
/// error body for replacement by Gatehouse's own page. The settings are read per response, from the route's own generation.
/// </summary>
internal sealed class BackendResponseTransform(GenerationHolder settings) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddResponseTransform(OnResponse);

    internal ValueTask OnResponse(ResponseTransformContext context)
    {
        var proxyResponse = context.ProxyResponse;
        if (proxyResponse is null)
        {
            return ValueTask.CompletedTask;
        }

        var hide = settings.For(context.HttpContext).HideBackend();
        var headers = context.HttpContext.Response.Headers;

        // One pass over the backend's header names (no parsing, no allocation): drop identity headers, note the rare
        // headers that may need rewriting.
        var identity = hide.Headers;
        var mayRewrite = false;
        var hasConnection = false;
        foreach (var header in proxyResponse.Headers.NonValidated)
        {
            var name = header.Key;
            if (identity.ShouldRemove(name))
            {
                headers.Remove(name);
            }
            else if (IsRewritable(name))
            {
                mayRewrite = true;
            }
            else if (name.Length == 10 && name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
            {
                hasConnection = true;
            }
        }

        // RFC 9110 §7.6.1: fields the backend named in Connection are for its hop only. (Parsed only when present.)
        if (hasConnection && proxyResponse.Headers.Connection is { Count: > 0 } connection)
        {
            foreach (var name in connection)
            {
                if (!string.Equals(name, "close", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    headers.Remove(name);
                }
            }
        }

        if (hide.Via is { } via)
        {
            headers.Append(HeaderNames.Via, via.ForVersion(proxyResponse.Version));
        }

        var state = context.HttpContext.Features.Get<ForwardingState>();
        var status = (int)proxyResponse.StatusCode;
        if (state is { RetryAllowed: true } && state.RetryStatuses.Contains(status))
        {
            context.SuppressResponseBody = true;
            state.RejectedStatus = status;
            return ValueTask.CompletedTask;
        }

        // This response goes to the client: the route timeout (time to response headers) is met.
        state?.DisarmTimeout();

        if (mayRewrite || headers.ContentLocation.Count > 0)
        {
            RewriteBackendReferences(context.HttpContext, hide);
        }

        if (status >= 400 && state is not null)
        {
            var policy = hide.ErrorPagesFor(context.HttpContext.GetReverseProxyFeature().Route.Config.RouteId);
            var content = proxyResponse.Content.Headers;
            if (ErrorPageDecision.ShouldReplace(policy, status, headers.ContentType, content.ContentLength)
                && !ErrorPageDecision.HasNoTransform(headers.CacheControl))
            {
                // The backend's body is discarded unread; ForwardingMiddleware writes Gatehouse's page in its place.
                context.SuppressResponseBody = true;
                state.ReplacedStatus = status;
                ErrorPages.RemoveRepresentationHeaders(headers);
            }
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsRewritable(string name) => name.Length switch
    {
        7 => name.Equals("Refresh", StringComparison.OrdinalIgnoreCase),
        8 => name.Equals(HeaderNames.Location, StringComparison.OrdinalIgnoreCase),
        10 => name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static void RewriteBackendReferences(HttpContext context, HideBackendSettings hide)
    {
        var origins = hide.OriginsOf(context.GetReverseProxyFeature().Cluster.Config.ClusterId);
        if (origins.IsEmpty)
        {
            return;
        }

        var headers = context.Response.Headers;
        var target = new PublicTarget(origins, context.Request.Scheme, context.Request.Host.HasValue ? context.Request.Host.Value : null);
        if (hide.RewriteLocations)
        {
            if (Rewrite(headers.Location, Reference.Url, target, out var location))
            {
                headers.Location = location;
            }

            if (Rewrite(headers.ContentLocation, Reference.Url, target, out var contentLocation))
            {
                headers.ContentLocation = contentLocation;
            }

            if (headers.TryGetValue("Refresh", out var refreshValues) && Rewrite(refreshValues, Reference.Refresh, target, out var refresh))
            {
                headers["Refresh"] = refresh;
            }
        }

        if (hide.RewriteCookieDomains && Rewrite(headers.SetCookie, Reference.Cookie, target, out var cookies))
        {
            headers.SetCookie = cookies;
        }
    }

    /// <summary>The values rewritten one by one; false (and nothing allocated) when none changed.</summary>
    private static bool Rewrite(StringValues values, Reference kind, in PublicTarget target, out StringValues result)
    {
        string[]? rewritten = null;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is null)
            {
                continue;
            }

            var next = kind switch
            {
                Reference.Url => BackendUrlRewriter.RewriteUrl(value, target.Origins, target.Scheme, target.Host),
                Reference.Refresh => BackendUrlRewriter.RewriteRefresh(value, target.Origins, target.Scheme, target.Host),
                _ => CookieDomainRewriter.Rewrite(value, target.Origins),
            };
            if (!ReferenceEquals(next, value))
            {
                rewritten ??= values.ToArray()!;
                rewritten[i] = next;
            }
        }

        result = rewritten is null ? values : new StringValues(rewritten);
        return rewritten is not null;
    }

    private enum Reference
    {
        Url,
        Refresh,
        Cookie,
    }

    /// <summary>The destinations to look for, and the scheme and host the client used, which replace them.</summary>
    private readonly record struct PublicTarget(BackendOrigins Origins, string Scheme, string? Host);
}
