using Yarp.ReverseProxy.Model;

namespace Gatehouse.Http;

public static class RouteIds
{
    /// <summary>The id of the YARP route the request matched; null before routing or when none matched.</summary>
    public static string? RouteId(this HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId;
}
