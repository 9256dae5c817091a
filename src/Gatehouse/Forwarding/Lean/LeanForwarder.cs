using Gatehouse.Runtime;
using Gatehouse.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Forwarding;

/// <summary>
/// The forwarder YARP's ForwarderMiddleware calls. HTTP/1.1 to an http:// destination (<see cref="LeanPath"/>) goes
/// through Gatehouse's own client (<see cref="UpstreamPools"/>) when the cluster's <see cref="LeanForwarding"/> allows
/// it; everything else goes to YARP's forwarder, unchanged. The lean exchange follows YARP's steps: the route's
/// transformer fills an HttpRequestMessage (so every transform runs as before), the head is written from it, the
/// response's status and fields go through the transformer's response step, the body is copied, then the trailers.
/// Failures end as YARP ends them: the same <see cref="ForwarderError"/>, the same status, the same
/// <see cref="IForwarderErrorFeature"/>, so the attempt loop, passive health and Gatehouse's pages behave the same.
/// </summary>
internal sealed partial class LeanForwarder(IHttpForwarder yarp, UpstreamPools pools, DirectHeadRoutes directRoutes) : IHttpForwarder
{
    private static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromSeconds(100);

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
    {
        if (SettingsOf(context) is { Enabled: true } lean && LeanPath.Covers(context, destinationPrefix, requestConfig))
        {
            if (directRoutes.For(context.Features.Get<IReverseProxyFeature>(), transformer) is { } plan)
            {
                return ForwardDirectAsync(context, destinationPrefix, lean.Options, requestConfig, transformer, plan, cancellationToken);
            }

            return ForwardAsync(context, destinationPrefix, lean.Options, requestConfig, transformer, cancellationToken);
        }

        return yarp.SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken);
    }

    /// <summary>The cluster's settings from the route's own generation; none (so YARP) for a request outside Gatehouse's routes.</summary>
    private static LeanForwarding? SettingsOf(HttpContext context) =>
        RouteRuntime.Of(context) is { } runtime && context.Features.Get<IReverseProxyFeature>()?.Cluster?.Config.ClusterId is { } cluster
            ? runtime.Generation.Cluster<LeanForwarding>(cluster)
            : null;

    /// <summary>
    /// One exchange, in one async method (each awaited async helper would cost every request its own state machine).
    /// </summary>
    private async ValueTask<ForwarderError> ForwardAsync(HttpContext context, string destinationPrefix, UpstreamOptions options,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
    {
        if (IsResponseSet(context.Response))
        {
            throw new InvalidOperationException("The request cannot be forwarded, the response has already started");
        }

        var activity = ActivityTimeout.Rent(requestConfig.ActivityTimeout ?? DefaultActivityTimeout, context.RequestAborted, cancellationToken);
        UpstreamResponse? response = null;
        try
        {
            HttpRequestMessage message;
            UpstreamRequest? request = null;
            try
            {
                // :: as YARP's steps 1-3: the message, then the transforms, which may answer instead of forwarding.
                var hasBody = LeanRequest.HasBody(context);
                message = new HttpRequestMessage { Method = HttpMethod.Parse(context.Request.Method), Version = System.Net.HttpVersion.Version11 };
                var content = hasBody ? new HeaderShellContent() : null;
                message.Content = content;
                await transformer.TransformRequestAsync(context, message, destinationPrefix, activity.Token);
                if (hasBody && !ReferenceEquals(content, message.Content))
                {
                    throw new InvalidOperationException("Replacing the outgoing request's HttpContent is not supported. Configure HttpContext.Request instead.");
                }

                if (IsResponseSet(context.Response))
                {
                    return ForwarderError.None;
                }

                activity.Restart();
                var destination = message.RequestUri ??= RequestUtilities.MakeDestinationAddress(destinationPrefix, context.Request.Path, context.Request.QueryString);
                if (destination.Scheme != Uri.UriSchemeHttp)
                {
                    throw new InvalidOperationException("a transform sent an http:// request elsewhere: " + destination.Scheme);
                }

                if (!requestConfig.AllowResponseBuffering.GetValueOrDefault())
                {
                    context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                }

                var pool = PoolFor(context, destination, options);
                request = LeanRequest.Build(context, message, destination, pool.HostHeader, hasBody, activity.Restart);

                // :: step 4: send, and read up to the final response head.
                try
                {
                    response = await pool.Pool.SendAsync(request, activity.Token);
                }
                catch (ObjectDisposedException e) when (e.ObjectName == typeof(UpstreamPool).FullName)
                {
                    // A reload removed the destination as this request took it: finish it on a pool of its own.
                    response = await pools.Renew(destination, options, pool).Pool.SendAsync(request, activity.Token);
                }
            }
            catch (Exception e)
            {
                return await HandleRequestFailureAsync(context, request, e, transformer, activity);
            }

            // :: steps 5-6: status and headers through the transformer.
            activity.Restart();
            var head = response.Head;
            using var shell = LeanResponse.Shell(head, message);
            try
            {
                SetStatus(context, head);

                if (!await transformer.TransformResponseAsync(context, shell, activity.Token))
                {
                    // The transforms discard the body (a held-back retryable status, a replaced error page): the
                    // connection closes with its body unread.
                    return ForwarderError.None;
                }
            }
            catch (Exception e)
            {
                return FailResponseHeaders(context, e);
            }

            // :: steps 7-8: the body, then the trailers.
            try
            {
                await response.CopyBodyToAsync(context.Response.BodyWriter, activity.Restart, activity.Token);
            }
            catch (Exception e)
            {
                return HandleResponseBodyFailure(context, e, activity);
            }

            LeanResponse.AddTrailers(shell, response.Trailers);
            await transformer.TransformResponseTrailersAsync(context, shell, activity.Token);

            return ReportRequestBodyFailure(context, response);
        }
        finally
        {
            if (response is not null)
            {
                await response.DisposeAsync();
            }

            activity.Return();
        }
    }

    private static bool IsResponseSet(HttpResponse response) => response.StatusCode != StatusCodes.Status200OK || response.HasStarted;

    private static bool IsHttp2OrGreater(string protocol) => HttpProtocol.IsHttp2(protocol) || HttpProtocol.IsHttp3(protocol);

    /// <summary>The backend's status, and its reason phrase when it is not the usual one (HTTP/1.x clients only).</summary>
    private static void SetStatus(HttpContext context, Gatehouse.Http1.ResponseHead head)
    {
        context.Response.StatusCode = head.StatusCode;
        if (!IsHttp2OrGreater(context.Request.Protocol) && LeanResponse.CustomReason(head) is { } reason)
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
        }
    }

    /// <summary>Copying the response head failed: nothing was sent yet, so the client gets a 502.</summary>
    private static ForwarderError FailResponseHeaders(HttpContext context, Exception e)
    {
        ReportError(context, ForwarderError.ResponseHeaders, e);
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
        return ForwarderError.ResponseHeaders;
    }

    /// <summary>
    /// The response went out whole; a request body that failed meanwhile (the backend answered before reading it all,
    /// then closed) is still reported, as YARP does, without touching the response.
    /// </summary>
    private static ForwarderError ReportRequestBodyFailure(HttpContext context, UpstreamResponse response)
    {
        if (response.RequestBodyFailure is { } failure and not OperationCanceledException)
        {
            var error = IsClientBodyFailure(failure) ? ForwarderError.RequestBodyClient : ForwarderError.RequestBodyDestination;
            ReportError(context, error, failure);
            return error;
        }

        return ForwarderError.None;
    }
}
