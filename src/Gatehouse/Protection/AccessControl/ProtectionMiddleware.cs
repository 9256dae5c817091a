using System.Threading.RateLimiting;
using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Protection;

/// <summary>
/// After routing, before the cache: IP lists (403), method list (405), rate limit (429), basic auth (401), forward auth.
/// Rate limiting comes before the password checks so that guessing passwords is rate limited too. A route with nothing
/// configured costs one dictionary look-up and one flag test.
/// </summary>
internal sealed class ProtectionMiddleware(RequestDelegate next, GenerationHolder settings, RateLimiterRegistry limiters, BasicAuthChecker basicAuth, ForwardAuthClient forwardAuth, ProtectionTelemetry telemetry)
{
    public Task InvokeAsync(HttpContext context)
    {
        // The matched route's protection comes from the generation that defined the route (RouteRuntime on its
        // endpoint); requests no route matched get the global lists of the settings in force. RouteLimitsMiddleware has
        // already refused a route endpoint that carries no generation.
        var endpoint = context.GetEndpoint();
        RouteProtection? route = endpoint is null ? settings.Current.Protection().Unmatched : endpoint.Metadata.GetMetadata<RouteRuntime>()?.Protection();
        if (route is null)
        {
            return endpoint!.Metadata.GetMetadata<RouteModel>() is null ? next(context) : RouteLimitsMiddleware.RefuseWithoutGenerationAsync(context);
        }

        return route.HasRequestChecks ? CheckAsync(context, route) : next(context);
    }

    private async Task CheckAsync(HttpContext context, RouteProtection route)
    {
        var client = context.Connection.RemoteIpAddress;
        if (route.HasIpLists && !AccessDecisions.IsAllowed(client, route))
        {
            telemetry.Denied(context, "ip");
            await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status403Forbidden, "403 Forbidden: this address may not use this route.\n");
            return;
        }

        if (route.Methods is { } methods && !methods.Contains(context.Request.Method))
        {
            telemetry.Denied(context, "method");
            context.Response.Headers.Allow = route.AllowHeader;
            await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status405MethodNotAllowed, ErrorPages.Text(StatusCodes.Status405MethodNotAllowed));
            return;
        }

        RateLimitLease? lease = null;
        try
        {
            if (route.RateLimit is { } policy && !policy.Exempt.Contains(client))
            {
                var limiter = limiters.For(policy);
                lease = await limiter.AcquireAsync(context, 1, context.RequestAborted);
                if (!lease.IsAcquired)
                {
                    telemetry.RateLimited(context, policy.Name);
                    var headers = context.Response.Headers;
                    headers["RateLimit-Policy"] = policy.PolicyHeader;
                    var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : (TimeSpan?)null;
                    // A concurrency limit frees up when a request ends, which cannot be predicted: suggest a second.
                    var seconds = RateLimitHeaders.RetryAfterSeconds(retryAfter ?? TimeSpan.FromSeconds(1));
                    headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    headers["RateLimit"] = RateLimitHeaders.Format(policy, 0, TimeSpan.FromSeconds(seconds));
                    await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status429TooManyRequests, "429 Too Many Requests: slow down; see Retry-After.\n");
                    return;
                }

                var remaining = limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0;
                // Added as the response starts, after the HTTP cache has taken its copy of the headers: this client's
                // quota must never be stored and replayed to others, and a cache hit gets the current values.
                context.Response.OnStarting(static state =>
                {
                    var (response, policy, remaining) = ((HttpResponse, RateLimitPolicy, long))state;
                    response.Headers["RateLimit-Policy"] = policy.PolicyHeader;
                    response.Headers["RateLimit"] = RateLimitHeaders.Format(policy, remaining, null);
                    return Task.CompletedTask;
                }, (context.Response, policy, remaining));
            }

            if (route.BasicAuth is { } basic)
            {
                string? user;
                try
                {
                    user = await basicAuth.AuthenticateAsync(basic, context.Request.Headers.Authorization, context.RequestAborted);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    return; // the client left while its check waited its turn
                }

                if (user is null)
                {
                    telemetry.Denied(context, "basic_auth");
                    context.Response.Headers.WWWAuthenticate = basic.Challenge;
                    await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status401Unauthorized, "401 Unauthorized: this route needs a user name and password.\n");
                    return;
                }

                if (!basic.ForwardAuthorization)
                {
                    context.Request.Headers.Remove("Authorization");
                }
            }

            if (route.ForwardAuth is { } forward)
            {
                var forwardedFor = context.Features.Get<ClientIdentity>()?.ForwardedFor;
                if (await forwardAuth.AuthorizeAsync(context, forward, forwardedFor) != ForwardAuthClient.Outcome.Allowed)
                {
                    telemetry.Denied(context, "forward_auth");
                    return;
                }
            }

            await next(context);
        }
        finally
        {
            // A concurrency permit is held until the response is done; window and bucket leases hold nothing.
            lease?.Dispose();
        }
    }
}
