using Gatehouse.Http;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Routing;

/// <summary>
/// The last step before YARP's endpoints: a request that no route took gets Gatehouse's page here. No route matched:
/// 404. A route matched the path but not the method: routing's own rejection endpoint sets 405 and <c>Allow</c>, then the
/// page is written with them. A request some route took passes on after one metadata look-up.
/// </summary>
internal sealed class UnroutedRequestsMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return ErrorPages.TryWriteAsync(context, StatusCodes.Status404NotFound);
        }

        return endpoint.Metadata.GetMetadata<RouteModel>() is not null || endpoint.RequestDelegate is not { } rejection
            ? next(context)
            : AnswerRejectionAsync(context, rejection);
    }

    private static async Task AnswerRejectionAsync(HttpContext context, RequestDelegate rejection)
    {
        await rejection(context);
        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted)
        {
            await ErrorPages.TryWriteAsync(context, context.Response.StatusCode);
        }
    }
}
