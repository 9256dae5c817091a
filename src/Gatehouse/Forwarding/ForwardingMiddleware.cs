using System.Collections.Frozen;
using System.Diagnostics;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Http;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Forwarding;

/// <summary>
/// The first step of YARP's proxy pipeline. It applies the route timeout and runs the attempt loop: a failed attempt
/// (transport error before any response byte, or a retryable status held back by <see cref="BackendResponseTransform"/>)
/// is sent again to a destination not tried yet, while the method, the body, the attempt limit and the retry budget allow.
/// Session affinity, load balancing and the forwarder run inside each attempt; each attempt's outcome is reported to the
/// cluster's passive health policy here (what YARP's passive health middleware does, without its extra async step).
/// When no attempt could answer, this step writes Gatehouse's page: 502/503/504 for forwarder errors and timeouts, 500
/// for an unexpected exception, so no exception text reaches the client.
/// </summary>
internal sealed class ForwardingMiddleware(
    RequestDelegate next,
    RetryBudgets budgets,
    DestinationControls controls,
    IEnumerable<IPassiveHealthCheckPolicy> passivePolicies,
    ForwardingTelemetry telemetry,
    ILogger<ForwardingMiddleware> logger)
{
    private readonly FrozenDictionary<string, IPassiveHealthCheckPolicy> _passivePolicies =
        passivePolicies.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var cluster = proxy.Cluster.Config.ClusterId;
        // The route's own generation (RouteRuntime on its endpoint), the one its protection came from.
        var runtime = RouteRuntime.Of(context);
        var retry = runtime?.Generation.Cluster<RetryPolicy>(cluster) ?? RetryPolicy.Default;
        var route = runtime?.Get<RouteForwarding>();
        var budget = budgets.For(cluster);
        budget.RecordRequest(retry.Budget);

        var request = context.Request;
        // HTTP/2 and HTTP/3 bodies need neither Content-Length nor Transfer-Encoding; Kestrel knows whether one can follow.
        var hasBody = request.ContentLength > 0
            || (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
        var bodyBuffered = false;
        if (hasBody && retry.MaxAttempts > 1 && request.ContentLength is { } length && length <= (route?.MaxBufferedBodyBytes ?? 0)
            && (RetryDecisions.IsIdempotent(request.Method) || route?.RetryUnsafeMethods == true))
        {
            request.EnableBuffering(bufferThreshold: (int)Math.Min(length, 1024 * 1024));
            await request.Body.DrainAsync(context.RequestAborted);
            request.Body.Position = 0;
            bodyBuffered = true;
        }

        var replayable = retry.MaxAttempts > 1 && RetryDecisions.MayReplay(request.Method, hasBody, bodyBuffered, route?.RetryUnsafeMethods == true);
        var state = new ForwardingState { RetryStatuses = retry.Statuses };
        context.Features.Set(state);

        var originalAborted = context.RequestAborted;
        CancellationTokenSource? timeout = null;
        if (route?.Timeout is { } limit)
        {
            timeout = CancellationTokenSource.CreateLinkedTokenSource(originalAborted);
            timeout.CancelAfter(limit);
            state.ArmTimeout(timeout);
            context.RequestAborted = timeout.Token;
        }

        var timedOut = false;
        var failedUnexpectedly = false;
        Activity? span = null;
        try
        {
            // The attempt loop, written inline: one async state machine per request instead of two. Drained and disabled
            // destinations leave the candidates here, before session affinity and load balancing choose among them.
            var candidates = DestinationRotation.InRotation(proxy.AvailableDestinations, controls.OutOfRotation(cluster));
            proxy.AvailableDestinations = candidates;
            List<DestinationState>? tried = null;
            while (true)
            {
                // A request the client already reset (or whose route timeout fired) is not sent, neither first nor again:
                // under rapid reset (CVE-2023-44487) most streams are cancelled before they get here. The HTTP/2 frame
                // guard may know of a reset Kestrel has not acted on yet, or have cut the connection: the stream is
                // aborted here, as the reset would, and logged as the client's cancel.
                if (await ClientResets.RefusesForwardingAsync(context))
                {
                    context.Abort();
                    break;
                }

                if (context.RequestAborted.IsCancellationRequested)
                {
                    break;
                }

                state.Attempts++;
                state.RejectedStatus = null;
                state.ReplacedStatus = null;
                var remaining = candidates.Count - (tried?.Count ?? 0);
                var retryPossible = replayable && state.Attempts < retry.MaxAttempts && remaining > 1;
                state.RetryAllowed = retryPossible && budget.CanRetry(retry.Budget);

                var attemptStarted = Stopwatch.GetTimestamp();
                span = ForwardingTelemetry.StartAttempt(context, state.Attempts, proxy.Cluster.Config.ClusterId);
                await next(context);
                state.LastAttemptTime = Stopwatch.GetElapsedTime(attemptStarted);
                state.UpstreamTime += state.LastAttemptTime;
                ReportPassiveHealth(context, proxy);

                var retrying = ShouldRetry(context, proxy, state, retry, budget, retryPossible);
                var destination = proxy.ProxiedDestination;
                telemetry.AttemptEnded(span, proxy.Cluster.Config.ClusterId, destination?.DestinationId, destination?.Model.Config.Address,
                    ForwardingTelemetry.Outcome(context, state), state.RejectedStatus ?? context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(attemptStarted).TotalSeconds, retrying);
                span = null;
                if (!retrying)
                {
                    break;
                }

                tried ??= [];
                tried.Add(proxy.ProxiedDestination!);
                // Read again: a destination drained while this request was in flight gets no retry of it either.
                candidates = DestinationRotation.InRotation(candidates, controls.OutOfRotation(cluster));
                proxy.AvailableDestinations = candidates.Where(d => !tried.Contains(d)).ToList();
                proxy.ProxiedDestination = null;
                context.Features.Set<IForwarderErrorFeature>(null);
                context.Response.Clear();
                if (context.Request.Body.CanSeek)
                {
                    context.Request.Body.Position = 0;
                }
            }
        }
        catch (Exception ex) when (!context.Response.HasStarted && !originalAborted.IsCancellationRequested)
        {
            GatehouseLog.UnhandledError(logger, ex, context.Request.Method, context.Request.Path, RequestIds.Of(context));
            failedUnexpectedly = true;
        }
        finally
        {
            // An attempt that threw: its span ends here, marked as failed.
            span?.SetStatus(ActivityStatusCode.Error);
            span?.Dispose();
            if (timeout is not null)
            {
                timedOut = timeout.IsCancellationRequested && !originalAborted.IsCancellationRequested;
                context.RequestAborted = originalAborted;
                timeout.Dispose();
            }
        }

        if (context.Response.HasStarted || originalAborted.IsCancellationRequested)
        {
            return;
        }

        if (PageStatus(context, state, timedOut, failedUnexpectedly) is { } page)
        {
            await ErrorPages.TryWriteAsync(context, page);
        }
        else if (state.ReplacedStatus is { } replaced)
        {
            // hideBackend.replaceErrorPages: the backend's error body was discarded; this page takes its place.
            await ErrorPages.WriteInPlaceOfBackendBodyAsync(context, replaced);
        }
    }

    /// <summary>
    /// The status of the Gatehouse page that answers when no attempt could: 500 for an unexpected exception, 504 when the
    /// route timeout fired, a retryable status held back for a retry that then could not happen, or the 502/503/504 YARP
    /// set for a forwarder error (no destination, connect error, reset, activity timeout); null when a response stands.
    /// </summary>
    private static int? PageStatus(HttpContext context, ForwardingState state, bool timedOut, bool failedUnexpectedly)
    {
        if (failedUnexpectedly)
        {
            return StatusCodes.Status500InternalServerError;
        }

        if (timedOut)
        {
            return StatusCodes.Status504GatewayTimeout;
        }

        if (state.RejectedStatus is { } held)
        {
            return held;
        }

        var status = context.Response.StatusCode;
        return status >= 400 && state.ReplacedStatus is null && context.Features.Get<IForwarderErrorFeature>() is not null ? status : null;
    }

    /// <summary>The attempt's outcome for the cluster's passive health policy, as YARP's passive health middleware reports it.</summary>
    private void ReportPassiveHealth(HttpContext context, IReverseProxyFeature proxy)
    {
        if (proxy.Cluster.Config.HealthCheck?.Passive is { Enabled: true } passive
            && proxy.ProxiedDestination is { } destination
            && proxy.Route.Cluster is { } cluster
            && _passivePolicies.TryGetValue(passive.Policy ?? "", out var policy))
        {
            policy.RequestProxied(context, cluster, destination);
        }
    }

    /// <summary>Whether the attempt just made failed in a way that may be retried now; logs every failed attempt.</summary>
    private bool ShouldRetry(HttpContext context, IReverseProxyFeature proxy, ForwardingState state, RetryPolicy retry, RetryBudget budget, bool retryPossible)
    {
        var (failure, retryable) = DescribeFailure(context, state);
        if (failure is null)
        {
            if (logger.IsEnabled(LogLevel.Debug) && context.Features.Get<IForwarderErrorFeature>() is { } error && ForwarderErrors.IsClientSide(error.Error))
            {
                GatehouseLog.ClientWentAway(logger, context.Request.Method, context.Request.Path, RequestIds.Of(context), proxy.Cluster.Config.ClusterId,
                    proxy.ProxiedDestination?.DestinationId ?? "-", error.Error.ToString());
            }

            return false;
        }

        var failed = proxy.ProxiedDestination;
        var wouldRetry = retryable && retryPossible && !context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted && failed is not null;
        var retrying = wouldRetry && state.RetryAllowed && budget.TryWithdraw(retry.Budget);
        if (wouldRetry && !retrying)
        {
            telemetry.BudgetRefused(proxy.Cluster.Config.ClusterId);
        }

        GatehouseLog.AttemptFailed(logger, context.Request.Method, context.Request.Path, RequestIds.Of(context), state.Attempts, proxy.Cluster.Config.ClusterId,
            failed?.DestinationId ?? "-", failure, retrying ? "; retrying on another destination" : "");
        return retrying;
    }

    /// <summary>
    /// Why the attempt failed (one short phrase for the log, no stack trace) and whether that kind of failure may be
    /// retried; (null, false) when it did not fail or the client went away.
    /// </summary>
    private static (string? Failure, bool Retryable) DescribeFailure(HttpContext context, ForwardingState state)
    {
        if (state.RejectedStatus is { } status)
        {
            return ($"status {status}", true);
        }

        if (context.Features.Get<IForwarderErrorFeature>() is not { } error
            || error.Error == ForwarderError.None || ForwarderErrors.IsClientSide(error.Error))
        {
            return state.TimeoutFired ? ("route timeout", false) : (null, false);
        }


        var detail = error.Exception?.InnerException?.Message ?? error.Exception?.Message;
        return (detail is null ? error.Error.ToString() : $"{error.Error}: {detail}", RetryDecisions.IsRetryableError(error.Error));
    }
}
