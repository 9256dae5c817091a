using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>
/// gRPC-Web at the edge (docs/grpc.md): Grpc.AspNetCore.Web's middleware, the translation ASP.NET Core's own gRPC
/// services use, in front of the proxy. On a route with <c>grpcWeb</c>, an <c>application/grpc-web</c> or
/// <c>application/grpc-web-text</c> request becomes <c>application/grpc</c> (text bodies base64-decoded) and goes to the
/// backend as gRPC over HTTP/2; the backend's trailers come back to the browser inside the body, as gRPC-Web frames.
/// Other routes and other requests pass through untouched.
/// </summary>
public static class GrpcWeb
{
    public const string RouteMetadata = "Gatehouse.GrpcWeb";

    private static readonly EnableGrpcWebAttribute Enabled = new();

    /// <summary>Marks the endpoint of a route that takes gRPC-Web, as YARP builds it.</summary>
    public static void MarkEndpoint(IEndpointConventionBuilder endpoint, RouteConfig route)
    {
        if (route.Metadata?.GetValueOrDefault(RouteMetadata) == "true")
        {
            endpoint.WithMetadata(Enabled);
        }
    }

    /// <summary>
    /// After routing (it reads the endpoint's mark), before the proxy: gRPC-Web where the route says so, and for every
    /// gRPC request no minimum request body data rate. A client or bidirectional stream is quiet whenever the client has
    /// nothing to say, which Kestrel's rate limit (240 B/s after 5 s by default) would take for a slow client and abort;
    /// Grpc.AspNetCore lifts it for its streaming methods the same way.
    /// </summary>
    public static IApplicationBuilder UseGatehouseGrpc(this IApplicationBuilder app)
    {
        // The middleware is written for gRPC services, which read and write its body pipes; the forwarder uses the
        // streams. For grpc-web-text the request stream would stay base64 (decode it here, on routes that translate) and
        // the response writer needs each write's size asked for (SizedWritesStream, once the middleware has set it up).
        app.Use(static (context, next) =>
        {
            if (!Http.GrpcAnswers.IsGrpc(context.Request))
            {
                return next(context);
            }

            if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
            {
                rate.MinDataRate = null;
            }

            if (context.Request.ContentType!.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase)
                && context.GetEndpoint()?.Metadata.GetMetadata<IGrpcWebEnabledMetadata>() is { GrpcWebEnabled: true })
            {
                context.Request.Body = new Base64RequestBody(context.Request.Body);
                context.Items[TextMode] = TextMode;
            }

            return next(context);
        });
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = false });
        return app.Use(static (context, next) =>
        {
            if (context.Request.ContentType == "application/grpc" && context.Items.ContainsKey(TextMode))
            {
                context.Response.Body = new SizedWritesStream(context.Response.BodyWriter);
            }

            return next(context);
        });
    }

    private static readonly object TextMode = new();
}
