using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>Misses: only-if-cached, request collapsing, and serving waiters from what their leader stored.</summary>
internal sealed partial class HttpCacheMiddleware
{
    // Requests carrying any of these are not collapsed: their answer is not the plain stored response.
    private static readonly string[] UncollapsibleFields =
    [
        HeaderNames.Range, HeaderNames.IfRange, HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch,
        HeaderNames.IfUnmodifiedSince, HeaderNames.Authorization,
    ];

    /// <summary>Nothing stored matches: only-if-cached gets 504; otherwise one forward per key, the others wait for it.</summary>
    private async Task MissAsync(CacheRequest request, CacheForwardReason reason)
    {
        if (RefusedAsOnlyIfCached(request))
        {
            return;
        }
        if (!CanCollapse(request))
        {
            await ForwardAsync(request, new ForwardPlan(reason));
            return;
        }
        var forward = _collapsing.Join(request.KeyText, out var isLeader);
        if (isLeader)
        {
            // Another forward for this key may have finished between this request's store lookup and its Join: look
            // once more, so the origin is not asked again for what was just stored. Found, it is a hit like any other.
            bool served;
            try
            {
                served = await TryServeStoredAsync(request, reason, collapsed: null);
            }
            catch
            {
                _collapsing.Finish(forward, CollapseOutcome.Failed); // never leave the key's waiters behind a dead forward
                throw;
            }
            if (served)
            {
                _collapsing.Finish(forward, new CollapseOutcome(true, null));
                return;
            }
            await ForwardAsync(request, new ForwardPlan(reason) { Leading = forward });
            return;
        }

        var timeout = _options.Value.CollapseTimeout;
        CollapseOutcome? outcome = null;
        try
        {
            outcome = await _collapsing.WaitAsync(forward, request.Context.RequestAborted);
        }
        catch (TimeoutException)
        {
            HttpCacheLog.CollapseTimedOut(_logger, request.KeyText, timeout);
        }
        if (outcome is { Stored: true } stored && await TryServeStoredAsync(request, reason, stored))
        {
            return;
        }
        // Uncacheable, a different variant, a failure or a timeout: this request goes on its own, at once.
        await ForwardAsync(request, new ForwardPlan(reason) { Collapsed = false });
    }

    /// <summary>
    /// Serves a request from what was just stored for its key, if that matches it and may be used as it is: a waiter from
    /// its leader's response (<paramref name="collapsed"/>: the leader's outcome), or a would-be leader that found the
    /// response stored after all (null: a hit).
    /// </summary>
    private async Task<bool> TryServeStoredAsync(CacheRequest request, CacheForwardReason reason, CollapseOutcome? collapsed)
    {
        var context = request.Context;
        var entry = VariantSelection.Select(await _store.GetAsync(request.KeyText, context.RequestAborted), context.Request.Headers);
        var now = _time.GetUtcNow();
        // The leader's response has just come from the origin: it may answer unless it must be validated first
        // (no-cache, max-age=0 without stale-while-revalidate, or a request that refuses it).
        // Stored parts never answer these requests: they carry no Range (requests with one are not collapsed).
        if (entry is null || entry.IsPartial || Reuse.Decide(entry.Freshness, request.Directives, now) is ReuseDecision.ValidateStale or ReuseDecision.ValidateForRequest)
        {
            return false;
        }
        var status = collapsed is { } outcome
            ? request.Status(CacheName) with { Forward = reason, ForwardStatus = outcome.StatusCode, Collapsed = true, TimeToLive = entry.Freshness.TimeToLive(now) }
            : request.Status(CacheName) with { Hit = true, TimeToLive = entry.Freshness.TimeToLive(now) };
        await StoredResponseWriter.WriteAsync(context, entry, Conditions(request, entry), status, now, request.Settings.OwnTargetedField);
        return true;
    }

    private bool CanCollapse(CacheRequest request)
    {
        var headers = request.Context.Request.Headers;
        if (request.IsHead || request.Directives.NoStore || _collapsing.IsRememberedUncacheable(request.KeyText))
        {
            return false;
        }
        foreach (var name in UncollapsibleFields)
        {
            if (headers.ContainsKey(name))
            {
                return false;
            }
        }
        return true;
    }
}
