using System.Runtime.ExceptionServices;
using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// The shared HTTP cache (RFC 9111) in front of the rest of the pipeline. For each request the host's
/// <see cref="IHttpCacheSettingsProvider"/> says whether its route is cached; if so, GET and HEAD are answered from the
/// store when RFC 9111 §4 allows, validated, collapsed, or forwarded and stored; other methods are forwarded and, when
/// unsafe, invalidate (§4.4). Every response of a cached route carries this cache's Cache-Status member (RFC 9211).
/// </summary>
internal sealed partial class HttpCacheMiddleware(
    RequestDelegate next,
    IHttpCacheSettingsProvider settingsProvider,
    StoreAccess store,
    OriginForwarding forwarding,
    RequestCollapsing collapsing,
    BackgroundRevalidation revalidation,
    IOptions<HttpCacheOptions> options,
    TimeProvider time,
    ILogger<HttpCacheMiddleware> logger)
{
    private readonly RequestDelegate _next = next;
    private readonly IHttpCacheSettingsProvider _settingsProvider = settingsProvider;
    private readonly StoreAccess _store = store;
    private readonly OriginForwarding _forwarding = forwarding;
    private readonly RequestCollapsing _collapsing = collapsing;
    private readonly BackgroundRevalidation _revalidation = revalidation;
    private readonly IOptions<HttpCacheOptions> _options = options;
    private readonly TimeProvider _time = time;
    private readonly ILogger<HttpCacheMiddleware> _logger = logger;

    private string CacheName => _options.Value.CacheName;

    // The provider comes in through the constructor: an InvokeAsync parameter would be resolved from RequestServices,
    // which creates (and disposes) a DI scope for every request, cached route or not.
    public Task InvokeAsync(HttpContext context)
    {
        var settings = _settingsProvider.GetSettings(context);
        if (settings is null)
        {
            return _next(context);
        }
        var method = context.Request.Method;
        if (IsUpgrade(context))
        {
            return ForwardUntouchedAsync(context, settings, CacheForwardReason.Bypass);
        }
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            return ForwardUntouchedAsync(context, settings, CacheForwardReason.Method);
        }
        return HandleAsync(CacheRequest.For(context, settings, _store.RemovalMark));
    }

    // Not async itself: a lookup that completes at once (the memory store's always does) and a hit whose body write
    // completes at once then cost no state machine.
    private Task HandleAsync(CacheRequest request)
    {
        var lookup = _store.GetAsync(request.KeyText, request.Context.RequestAborted);
        return lookup.IsCompletedSuccessfully ? Handle(request, lookup.Result) : HandleAfterLookupAsync(request, lookup);
    }

    private async Task HandleAfterLookupAsync(CacheRequest request, ValueTask<IReadOnlyList<CachedResponse>> lookup) =>
        await Handle(request, await lookup);

    private Task Handle(CacheRequest request, IReadOnlyList<CachedResponse> variants)
    {
        var context = request.Context;
        var entry = VariantSelection.Select(variants, context.Request.Headers);
        if (entry is null)
        {
            if (variants.Count > 0)
            {
                OfferFreshVariants(request, variants);
            }
            return MissAsync(request, variants.Count == 0 ? CacheForwardReason.UriMiss : CacheForwardReason.VaryMiss);
        }
        if (entry.IsPartial && PartialContent.Answerable(context.Request.Method, context.Request.Headers, StoredView(request, entry), entry.Parts!) is null)
        {
            // §3.3: stored parts answer only the ranges they cover; the rest (a full GET, HEAD, other ranges) goes to the
            // origin as a miss whose answer is stored or combined (RFC 9211 §2.2 "partial").
            return MissAsync(request, CacheForwardReason.Partial);
        }
        if (request.HasAuthorization && !MayAnswerAuthorizedRequest(request, entry))
        {
            // §3.5: only a response that a shared cache may _store for an authenticated request answers one.
            return ForwardOrRefuseAsync(request, CacheForwardReason.Request);
        }

        var now = _time.GetUtcNow();
        var reuse = Reuse.Decide(entry.Freshness, request.Directives, now);
        if (reuse == ReuseDecision.StaleWhileRevalidate && entry.IsPartial)
        {
            // A background refresh asks without a Range, which would fetch the whole representation for some parts:
            // stale parts are validated in line instead, which RFC 5861 §3 allows (serving stale is a MAY).
            reuse = ReuseDecision.ValidateStale;
        }
        if (reuse is ReuseDecision.ValidateStale or ReuseDecision.ValidateForRequest)
        {
            return ValidateAsync(request, entry, reuse == ReuseDecision.ValidateForRequest ? CacheForwardReason.Request : CacheForwardReason.Stale);
        }
        var conditions = Conditions(request, entry);
        if (conditions == ConditionalOutcome.Forward)
        {
            return ForwardOrRefuseAsync(request, CacheForwardReason.Request);
        }
        var detail = reuse == ReuseDecision.StaleWhileRevalidate ? "stale-while-revalidate" : null;
        if (reuse == ReuseDecision.StaleWhileRevalidate)
        {
            _revalidation.TryStart(request, entry, _next);
        }
        return StoredResponseWriter.WriteHitAsync(request, CacheName, entry, conditions, entry.Freshness.TimeToLive(now), detail, now);
    }

    private async Task ForwardOrRefuseAsync(CacheRequest request, CacheForwardReason reason)
    {
        if (!RefusedAsOnlyIfCached(request))
        {
            await ForwardAsync(request, new ForwardPlan(reason));
        }
    }

    /// <summary>
    /// Called where the stored responses cannot answer and the origin would be asked: a request with only-if-cached
    /// (§5.2.1.7) gets 504 instead. True when it was answered so.
    /// </summary>
    private bool RefusedAsOnlyIfCached(CacheRequest request)
    {
        if (!request.Directives.OnlyIfCached)
        {
            return false;
        }
        StoredResponseWriter.WriteGatewayTimeout(request.Context, request.Status(CacheName) with { Detail = "only-if-cached" });
        return true;
    }

    /// <summary>Forwards and streams the response to the client, storing it if it may be; an unreachable origin's error propagates.</summary>
    private async Task ForwardAsync(CacheRequest request, ForwardPlan plan)
    {
        var result = await _forwarding.RunAsync(request, _next, plan);
        if (result.End == ForwardEnd.Failed)
        {
            ExceptionDispatchInfo.Throw(result.Error!);
        }
    }

    /// <summary>
    /// Methods the cache does not answer (and upgrades) go through untouched but for Cache-Status and the cache's own
    /// targeted field; unsafe ones invalidate on a non-error response, before the client sees it (§4.4).
    /// </summary>
    private Task ForwardUntouchedAsync(HttpContext context, HttpCacheRouteSettings settings, CacheForwardReason reason)
    {
        context.Response.OnStarting(async () =>
        {
            var response = context.Response;
            if (settings.OwnTargetedField is { } own)
            {
                response.Headers.Remove(own);
            }
            var status = new CacheStatus(CacheName) { Forward = reason, ForwardStatus = response.StatusCode };
            CacheStatusField.Append(response.Headers, status);
            if (!Invalidation.IsSafe(context.Request.Method))
            {
                await UnsafeMethodInvalidation.InvalidateAsync(context, settings, _store);
            }
        });
        return _next(context);
    }

    private static ConditionalOutcome Conditions(CacheRequest request, CachedResponse entry) =>
        ClientConditions.Evaluate(request.Context.Request.Method, request.Context.Request.Headers, entry.StatusCode, StoredView(request, entry), entry.Freshness.ResponseTime);

    /// <summary>The stored fields for the decisions, from the entry's <see cref="StoredResponseHead"/> (no view per request).</summary>
    private static StoredHeaderView StoredView(CacheRequest request, CachedResponse entry) =>
        StoredResponseHead.Of(entry, request.Settings.OwnTargetedField).View;

    private static bool MayAnswerAuthorizedRequest(CacheRequest request, CachedResponse entry)
    {
        var stored = StoredView(request, entry);
        var directives = ResponseCacheControl.FromResponse(stored, request.Settings.Policy.TargetedFieldNames);
        // Parts are judged as the 200 they are part of, as when they were stored (PartialContent.EvaluateStorability).
        var statusCode = entry.IsPartial ? StatusCodes.Status200OK : entry.StatusCode;
        return Storability.Evaluate(HttpMethods.Get, request.Context.Request.Headers, RequestCacheControl.None, statusCode, stored, directives).Reason
            != NotStorableReason.Authorization;
    }

    /// <summary>A Vary miss: the fresh variants stored for the URI go down with the request (<see cref="IStoredVariantsFeature"/>).</summary>
    private void OfferFreshVariants(CacheRequest request, IReadOnlyList<CachedResponse> variants)
    {
        var now = _time.GetUtcNow();
        List<StoredVariant>? fresh = null;
        for (var i = 0; i < variants.Count; i++)
        {
            var variant = variants[i];
            if (!variant.IsPartial && Reuse.Decide(variant.Freshness, request.Directives, now) == ReuseDecision.Fresh)
            {
                (fresh ??= []).Add(new StoredVariant(variant, variant.Freshness.CurrentAge(now)));
            }
        }
        if (fresh is not null)
        {
            request.Context.Features.Set<IStoredVariantsFeature>(new StoredVariantsFeature(fresh));
        }
    }

    private static bool IsUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
        || HttpMethods.IsConnect(context.Request.Method);
}
