using Gatehouse.Http;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Forwarding;

/// <summary>
/// A route's transforms in the form the lean path applies straight to Kestrel's request and response (the direct
/// head), in the order YARP's transformer would run them. A route has one only when its transformer would do nothing
/// else: it copies the request and response headers and trailers as YARP does by default, its every request and response
/// transform is one of Gatehouse's own with a direct form, it has no trailer transform, YARP adds no default
/// X-Forwarded transforms (Gatehouse's own replace them) and no custom Host (YARP's default, the destination's host, is
/// what the direct head sends). A route's own <c>transforms</c> section adds YARP's transforms, so it keeps the message path.
/// </summary>
public sealed class DirectPlan(IDirectRequestStep[] request, IDirectResponseStep[] response)
{
    public IDirectRequestStep[] Request { get; } = request;

    public IDirectResponseStep[] Response { get; } = response;

    /// <summary>The plan for the transformer <paramref name="context"/> is about to build, once every provider added its part; null when it has none.</summary>
    public static DirectPlan? For(TransformBuilderContext context)
    {
        if (context.CopyRequestHeaders == false || context.CopyResponseHeaders == false || context.CopyResponseTrailers == false
            || context.UseDefaultForwarders != false || context.ResponseTrailersTransforms.Count > 0)
        {
            return null;
        }

        var request = new IDirectRequestStep[context.RequestTransforms.Count];
        for (var i = 0; i < request.Length; i++)
        {
            if (context.RequestTransforms[i] is not IDirectRequestStep step)
            {
                return null;
            }

            request[i] = step;
        }

        var response = new IDirectResponseStep[context.ResponseTransforms.Count];
        for (var i = 0; i < response.Length; i++)
        {
            if (context.ResponseTransforms[i] is not IDirectResponseStep step)
            {
                return null;
            }

            response[i] = step;
        }

        return new DirectPlan(request, response);
    }
}
