using Gatehouse.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protection;

/// <summary>
/// Before the TLS redirect and routing, whatever <c>http.strict</c> says: replaces the request's path with its one
/// canonical form (<see cref="PathCanonicalization"/>), so routing, the route's protection and the backend read the same
/// path; a target without one gets 400 and the connection is closed. A path already canonical (the usual case) is one
/// scan of the raw target and no allocation.
/// </summary>
internal sealed class PathCanonicalizationMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { Length: > 0 } target)
        {
            return next(context);
        }

        var result = PathCanonicalization.Canonicalize(target);
        if (result.IsRefused)
        {
            return ErrorPages.RefuseAsync(context, StatusCodes.Status400BadRequest, closeConnection: true);
        }

        if (!result.IsPath)
        {
            return next(context);
        }

        var request = context.Request;
        if (result.Canonical is { } canonical)
        {
            request.Path = new PathString(canonical);
        }
        else if (!request.Path.Value.AsSpan().SequenceEqual(target.AsSpan(result.PathStart, result.PathEnd - result.PathStart)))
        {
            // Kestrel read the target differently (an absolute-form target): the raw path is the canonical one.
            request.Path = new PathString(target[result.PathStart..result.PathEnd]);
        }

        return next(context);
    }
}
