using Gatehouse.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>The lean path's failures, mapped to YARP's errors and statuses case by case (YARP's HttpForwarder, v2.3).</summary>
internal sealed partial class LeanForwarder
{
    /// <summary>No response head: the transforms failed, the client's body failed, or the backend could not be reached or read.</summary>
    private static async ValueTask<ForwarderError> HandleRequestFailureAsync(HttpContext context, UpstreamRequest? request, Exception exception,
        HttpTransformer transformer, ActivityTimeout activity)
    {
        var (error, status) = RequestFailure(exception, request, activity.CancelledByLinkedToken, activity.TimedOut, context.RequestAborted.IsCancellationRequested);
        ReportError(context, error, exception);
        if (error is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination)
        {
            if (context.Response.HasStarted)
            {
                ResetOrAbort(context, cancelled: false);
            }
            else
            {
                context.Response.Clear();
                context.Response.StatusCode = status;
            }
        }
        else
        {
            context.Response.StatusCode = status;
        }

        try
        {
            await transformer.TransformResponseAsync(context, proxyResponse: null, activity.Token);
        }
        catch (OperationCanceledException)
        {
            // A more specific error is reported already.
        }

        return error;
    }

    /// <summary>
    /// YARP's reading of a failure before the response head. The client went away or the caller cancelled: cancelled
    /// (400 when the client aborted). The client's body failed: RequestBodyClient with Kestrel's status (413 for a body
    /// over the limit), 408 on the activity timeout. The backend failed while taking the body: RequestBodyDestination.
    /// The activity or connect timeout: 504. Anything else: 502, RequestCreation when nothing was built to send.
    /// </summary>
    internal static (ForwarderError Error, int Status) RequestFailure(Exception exception, UpstreamRequest? request, bool cancelledByClientOrCaller,
        bool timedOut, bool clientAborted)
    {
        if (cancelledByClientOrCaller)
        {
            var bodyCancelled = request?.Body is not null && exception is OperationCanceledException;
            return (bodyCancelled ? ForwarderError.RequestBodyCanceled : ForwarderError.RequestCanceled,
                clientAborted ? StatusCodes.Status400BadRequest : StatusCodes.Status502BadGateway);
        }

        if (exception is UpstreamException { Failure: UpstreamFailure.SendFailed } sendFailed && request?.Body is not null)
        {
            if (IsClientBodyFailure(sendFailed.InnerException))
            {
                var status = timedOut ? StatusCodes.Status408RequestTimeout
                    : FindBadRequest(sendFailed)?.StatusCode ?? StatusCodes.Status400BadRequest;
                return (ForwarderError.RequestBodyClient, status);
            }

            return (ForwarderError.RequestBodyDestination, timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway);
        }

        if (exception is OperationCanceledException or UpstreamException { Failure: UpstreamFailure.ConnectFailed, InnerException: OperationCanceledException })
        {
            return (ForwarderError.RequestTimedOut, StatusCodes.Status504GatewayTimeout);
        }

        return (request is null ? ForwarderError.RequestCreation : ForwarderError.Request, StatusCodes.Status502BadGateway);
    }

    /// <summary>The upstream client marks a failure reading the client's body with <see cref="InvalidDataException"/>.</summary>
    private static bool IsClientBodyFailure(Exception? exception) => exception is InvalidDataException;

    private static BadHttpRequestException? FindBadRequest(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException bad)
            {
                return bad;
            }
        }

        return null;
    }

    /// <summary>
    /// The body copy failed: reading the backend (ResponseBodyDestination), writing to the client (ResponseBodyClient)
    /// or cancelled. Before the first byte went out Gatehouse can still answer 502; after, the client's response is
    /// aborted so a truncated body never looks complete.
    /// </summary>
    private static ForwarderError HandleResponseBodyFailure(HttpContext context, Exception exception, ActivityTimeout activity)
    {
        var cancelled = exception is OperationCanceledException && activity.Token.IsCancellationRequested;
        var error = cancelled ? ForwarderError.ResponseBodyCanceled
            : exception is UpstreamException ? ForwarderError.ResponseBodyDestination
            : ForwarderError.ResponseBodyClient;
        ReportError(context, error, exception);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return error;
        }

        ResetOrAbort(context, cancelled);
        return error;
    }

    private static void ReportError(HttpContext context, ForwarderError error, Exception exception) =>
        context.Features.Set<IForwarderErrorFeature>(new LeanErrorFeature(error, exception));

    private static void ResetOrAbort(HttpContext context, bool cancelled)
    {
        if (context.Features.Get<IHttpResetFeature>() is { } reset)
        {
            // RFC 9113 §7: CANCEL or INTERNAL_ERROR.
            reset.Reset(cancelled ? 0x8 : 0x2);
            return;
        }

        context.Abort();
    }
}
