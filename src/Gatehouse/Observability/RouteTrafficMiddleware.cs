using Gatehouse.Runtime;

namespace Gatehouse.Observability;

/// <summary>
/// Counts each request into <see cref="RouteTraffic"/> once it is answered: its route (read after routing ran below),
/// status, duration and cache outcome (from <c>Cache-Status</c>). Only in the pipeline when the admin listener is on.
/// A request that completes synchronously costs no extra async step.
/// </summary>
internal sealed class RouteTrafficMiddleware(RequestDelegate next, RouteTraffic traffic, TimeProvider time)
{
    public Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var pending = next(context);
        if (pending.IsCompletedSuccessfully)
        {
            Record(context, started);
            return Task.CompletedTask;
        }

        return AwaitAndRecord(pending, context, started);
    }

    private async Task AwaitAndRecord(Task pending, HttpContext context, long started)
    {
        try
        {
            await pending;
        }
        finally
        {
            Record(context, started);
        }
    }

    private void Record(HttpContext context, long started)
    {
        traffic.Record(RouteRuntime.Of(context)?.RouteId ?? RouteTraffic.Unrouted, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds,
            CacheHit(context.Response.Headers["Cache-Status"].ToString()));
    }

    /// <summary>Gatehouse's own member of Cache-Status (RFC 9211; a backend's members come before it): hit, miss, or null when none.</summary>
    internal static bool? CacheHit(string cacheStatus)
    {
        var start = cacheStatus.LastIndexOf("Gatehouse;", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = cacheStatus.IndexOf(',', start);
        var member = end < 0 ? cacheStatus.AsSpan(start) : cacheStatus.AsSpan(start, end - start);
        return member.Contains("; hit", StringComparison.Ordinal);
    }
}
