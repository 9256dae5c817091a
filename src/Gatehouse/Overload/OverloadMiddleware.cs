using Gatehouse.Http;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Overload;

/// <summary>
/// Two steps of YARP's proxy pipeline for clusters with <c>maxConcurrentRequests</c>. Before load balancing
/// (<see cref="PreferRoomAsync"/>): destinations with a free slot are the candidates when there are any, so a request
/// queues only when every destination is full. After it (<see cref="AdmitAsync"/>): the chosen destination's gate
/// admits the request, queues it in arrival order, or refuses it with 503 and Retry-After (queue full, or its timeout
/// ran out). A refusal never reaches the backend, so it counts against no destination's health and is not retried.
/// </summary>
public sealed class OverloadMiddleware(DestinationGates gates)
{
    public Task PreferRoomAsync(HttpContext context, RequestDelegate next)
    {
        var proxy = context.GetReverseProxyFeature();
        if (Settings(context, proxy) is not null && proxy.AvailableDestinations.Count > 1)
        {
            proxy.AvailableDestinations = WithRoom(proxy.AvailableDestinations, gates);
        }

        return next(context);
    }

    public Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        var proxy = context.GetReverseProxyFeature();
        // Clusters without a limit pay no async step here.
        return Settings(context, proxy) is { } settings && proxy.AvailableDestinations is [var destination]
            ? AdmitAsync(context, next, destination, settings)
            : next(context);
    }

    private async Task AdmitAsync(HttpContext context, RequestDelegate next, DestinationState destination, OverloadSettings settings)
    {
        var gate = gates.For(destination, settings);
        var admission = await gate.EnterAsync(settings.QueueTimeout, context.RequestAborted);
        switch (admission)
        {
            case Admission.Admitted:
                try
                {
                    await next(context);
                }
                finally
                {
                    gate.Release();
                }

                break;
            case Admission.QueueFull or Admission.TimedOut:
                context.Response.Clear();
                context.Response.Headers.RetryAfter = settings.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorPages.Text(StatusCodes.Status503ServiceUnavailable));
                break;
            default:
                break; // the client left (or the route timeout fired): the attempt loop answers for that
        }
    }

    /// <summary>The candidates with a free slot; all of them when none has one (the request then queues where it is sent).</summary>
    internal static IReadOnlyList<DestinationState> WithRoom(IReadOnlyList<DestinationState> candidates, DestinationGates gates)
    {
        List<DestinationState>? withRoom = null;
        var full = 0;
        foreach (var destination in candidates)
        {
            if (gates.Existing(destination) is { HasRoom: false })
            {
                full++;
                continue;
            }

            (withRoom ??= new(candidates.Count)).Add(destination);
        }

        return full == 0 || withRoom is null ? candidates : withRoom;
    }

    private static OverloadSettings? Settings(HttpContext context, IReverseProxyFeature proxy) =>
        RouteRuntime.Of(context)?.Generation.Cluster<OverloadSettings>(proxy.Cluster.Config.ClusterId) is { MaxConcurrentRequests: not null } settings
            ? settings
            : null;
}
