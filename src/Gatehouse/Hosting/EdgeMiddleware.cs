using Gatehouse.Forwarding;
using Gatehouse.Http;

namespace Gatehouse.Hosting;

/// <summary>
/// Just inside the access log: an exception thrown while the request goes through the synchronous steps (routing,
/// limits, protection, the cache's look-up) becomes Gatehouse's 500 page instead of Kestrel's empty 500. It is not an
/// async step, so the usual request pays for a try block and nothing else; failures in the proxy step are answered by
/// <see cref="ForwardingMiddleware"/>, which is async anyway. No exception text reaches the client either way.
/// </summary>
internal sealed class EdgeMiddleware(RequestDelegate next, ILogger<EdgeMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        try
        {
            return next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            GatehouseLog.UnhandledError(logger, ex, context.Request.Method, context.Request.Path, RequestIds.Of(context));
            return ErrorPages.TryWriteAsync(context, StatusCodes.Status500InternalServerError);
        }
    }
}
