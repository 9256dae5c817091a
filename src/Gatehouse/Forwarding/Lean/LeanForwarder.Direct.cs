using Gatehouse.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Forwarding;

internal sealed partial class LeanForwarder
{
    /// <summary>
    /// One exchange through the direct head, for a route whose transforms all have a direct form (<see cref="DirectPlan"/>):
    /// the steps of <see cref="ForwardAsync"/> without an HttpRequestMessage or HttpResponseMessage. The request head is
    /// written from Kestrel's request (<see cref="DirectRequestFields"/>), the backend's fields go straight into Kestrel's
    /// response (<see cref="DirectResponseFields"/>), and each transform runs in its direct form, in the same order.
    /// Failures end exactly as on the message path.
    /// </summary>
    private async ValueTask<ForwarderError> ForwardDirectAsync(HttpContext context, string destinationPrefix, UpstreamOptions options,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer, DirectPlan plan, CancellationToken cancellationToken)
    {
        if (IsResponseSet(context.Response))
        {
            throw new InvalidOperationException("The request cannot be forwarded, the response has already started");
        }

        var activity = ActivityTimeout.Rent(requestConfig.ActivityTimeout ?? DefaultActivityTimeout, context.RequestAborted, cancellationToken);
        var fields = DirectRequestFields.Rent(context, destinationPrefix);
        UpstreamResponse? response = null;
        try
        {
            UpstreamRequest? request = null;
            try
            {
                // :: the transforms' request steps, which decide the fields and may answer instead of forwarding.
                var hasBody = LeanRequest.HasBody(context);
                if (!ApplyRequestSteps(plan, fields))
                {
                    return ForwarderError.None;
                }

                activity.Restart();
                if (!requestConfig.AllowResponseBuffering.GetValueOrDefault())
                {
                    context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                }

                var address = pools.AddressOf(destinationPrefix);
                var pool = PoolFor(context, address, options);
                request = DirectRequest(context, fields, destinationPrefix, pool.HostHeader, hasBody, activity.Restart);

                // :: send, and read up to the final response head.
                try
                {
                    response = await pool.Pool.SendAsync(request, activity.Token);
                }
                catch (ObjectDisposedException e) when (e.ObjectName == typeof(UpstreamPool).FullName)
                {
                    // A reload removed the destination as this request took it: finish it on a pool of its own.
                    response = await pools.Renew(address, options, pool).Pool.SendAsync(request, activity.Token);
                }
            }
            catch (Exception e)
            {
                return await HandleRequestFailureAsync(context, request, e, transformer, activity);
            }

            // :: status and fields into Kestrel's response, then the transforms' response steps.
            activity.Restart();
            var head = response.Head;
            try
            {
                SetStatus(context, head);

                DirectResponseFields.CopyHead(head, context.Response.Headers);
                var suppressBody = false;
                foreach (var step in plan.Response)
                {
                    step.OnDirectResponse(context, head, ref suppressBody);
                }

                if (suppressBody)
                {
                    // A held-back retryable status or a replaced error page: the connection closes with its body unread.
                    return ForwarderError.None;
                }
            }
            catch (Exception e)
            {
                return FailResponseHeaders(context, e);
            }

            // :: the body, then the trailers.
            try
            {
                await response.CopyBodyToAsync(context.Response.BodyWriter, activity.Restart, activity.Token);
            }
            catch (Exception e)
            {
                return HandleResponseBodyFailure(context, e, activity);
            }

            if (response.Trailers.Count > 0 && context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { IsReadOnly: false } trailers)
            {
                DirectResponseFields.Copy(response.Trailers, trailers);
            }

            return ReportRequestBodyFailure(context, response);
        }
        finally
        {
            if (response is not null)
            {
                await response.DisposeAsync();
            }

            activity.Return();
            fields.Return();
        }
    }

    /// <summary>
    /// The route's request steps in order, then the client's fields that are forwarded; false when a step answered the
    /// request itself (as StructuredTransformer stops, the request is then not forwarded).
    /// </summary>
    internal static bool ApplyRequestSteps(DirectPlan plan, DirectRequestFields fields)
    {
        var response = fields.Head.Context.Response;
        foreach (var step in plan.Request)
        {
            step.OnDirectRequest(fields.Head);
            if (IsResponseSet(response))
            {
                return false;
            }
        }

        fields.Collect();
        return true;
    }

    /// <summary>
    /// The request as the message path would send it: the method as HttpMethod spells it, the target a step chose or
    /// YARP's default, the destination's Host (YARP's default: a destination's configured host, else the address's), and
    /// Gatehouse's framing.
    /// </summary>
    internal static UpstreamRequest DirectRequest(HttpContext context, DirectRequestFields fields, string destinationPrefix, string defaultHost, bool hasBody,
        Action? progress = null)
    {
        var request = context.Request;
        var method = HttpMethod.Parse(request.Method).Method;
        var target = fields.Head.Target ?? DirectTarget.For(destinationPrefix, request.Path, request.QueryString);
        var host = context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.Model.Config.Host ?? defaultHost;
        var (framing, length) = LeanRequest.Framing(hasBody, request.ContentLength, method);
        return new UpstreamRequest(method, target, host, fields)
        {
            BodyFraming = framing,
            ContentLength = length,
            Body = hasBody ? request.Body : null,
            Progress = hasBody ? progress : null,
        };
    }
}
