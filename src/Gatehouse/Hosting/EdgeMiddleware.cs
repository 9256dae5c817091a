using Gatehouse.Forwarding;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Hosting;

/// <summary>
/// Just inside the access log: turns proxy failures, unmatched requests and unexpected exceptions into Gatehouse's own
/// short error responses, so no exception text, stack trace or empty mystery status reaches a client.
/// </summary>
internal sealed class EdgeMiddleware(RequestDelegate next, ILogger<EdgeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            Observability.GatehouseLog.UnhandledError(logger, ex, context.Request.Method, context.Request.Path);
            await TryWritePageAsync(context, StatusCodes.Status500InternalServerError);
            return;
        }

        // The usual answer (a success, or a response already under way) leaves after two field reads, before any feature look-up.
        var status = context.Response.StatusCode;
        if (status < 400 || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (context.Features.Get<IForwarderErrorFeature>() is not null)
        {
            await TryWritePageAsync(context, status);
        }
        else if (status is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed && context.Features.Get<Yarp.ReverseProxy.Model.IReverseProxyFeature>() is null)
        {
            await TryWritePageAsync(context, status);
        }
    }

    private static async Task TryWritePageAsync(HttpContext context, int status)
    {
        try
        {
            await ErrorPages.WriteAsync(context, status);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client left, or the response could not be replaced; nothing more to tell it.
        }
    }
}
