using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Sends a request through the rest of the pipeline towards the origin and deals with the response: streams it to the
/// client while copying it up to the store's entry limit, stores it when RFC 9111 §3 allows and the body arrived whole,
/// strips the cache's own targeted field, adds Cache-Status, releases collapsed waiters as early as the outcome is
/// known, and — when the forward validates a stored response — holds back a 304 or a hideable origin error for the
/// caller to answer from the store.
/// </summary>
internal sealed class OriginForwarding(StoreAccess store, RequestCollapsing collapsing, IOptions<HttpCacheOptions> options, TimeProvider time)
{
    public async Task<ForwardResult> RunAsync(CacheRequest request, RequestDelegate next, ForwardPlan plan)
    {
        var context = request.Context;
        var result = new ForwardResult { RequestTime = time.GetUtcNow() };
        var decision = new StoringDecision();
        var originalBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>();
        var tap = new ResponseTap(
            originalBody,
            () => Decide(request, plan, result, decision),
            store.MaxEntryBytes,
            () => context.Response.ContentLength,
            () => GiveUpStoring(request, plan, result));
        context.Features.Set<IHttpResponseBodyFeature>(tap);
        // Trailers are not stored (§3.1), so a cached route sends none: hits and misses look the same.
        context.Features.Set<IHttpResponseTrailersFeature>(null);
        try
        {
            await next(context);
            await tap.FlushAsync();
            tap.Decide();
        }
        catch (Exception e)
        {
            Restore(context, originalBody, trailers);
            Release(plan, CollapseOutcome.Failed);
            if (tap.PassingOn || context.RequestAborted.IsCancellationRequested)
            {
                throw;
            }
            result.End = ForwardEnd.Failed;
            result.Error = e;
            return result;
        }
        Restore(context, originalBody, trailers);

        if (result.End == ForwardEnd.PassedOn)
        {
            await AfterPassedOnAsync(request, plan, result, decision, tap.Captured);
        }
        Release(plan, new CollapseOutcome(result.Stored, result.StatusCode));
        return result;
    }

    /// <summary>
    /// Freshens <paramref name="entry"/> with the 304 of <paramref name="result"/> (§4.3.4) and stores it. Null when the
    /// 304 does not select it (its validator names another representation).
    /// </summary>
    public async Task<(CachedResponse Entry, bool Stored)?> FreshenAsync(CacheRequest request, CachedResponse entry, ForwardResult result)
    {
        var candidate = new StoredCandidate(new StoredHeaderView(entry.Headers), entry.Freshness.ResponseTime);
        if (Revalidation.SelectForUpdate(result.Headers, [candidate]).Count == 0)
        {
            return null;
        }
        var updated = CacheEntries.Freshen(entry, result.Headers, request.Settings, result.RequestTime, result.ResponseTime);
        return (updated, await store.SetAsync(updated, request.RemovalMark));
    }

    private ResponseHandling Decide(CacheRequest request, ForwardPlan plan, ForwardResult result, StoringDecision decision)
    {
        var context = request.Context;
        var response = context.Response;
        var now = time.GetUtcNow();
        result.StatusCode = response.StatusCode;
        result.ResponseTime = now;
        result.Headers = Copy(response.Headers);

        if (plan.Validating is { } validating)
        {
            if (response.StatusCode == StatusCodes.Status304NotModified)
            {
                result.End = ForwardEnd.NotModified;
                return ResponseHandling.Discard;
            }
            if (Reuse.IsOriginError(response.StatusCode)
                && Reuse.CanServeStaleOnError(validating.Freshness, request.Directives, now, request.Settings.Policy))
            {
                result.End = ForwardEnd.OriginError;
                return ResponseHandling.Discard;
            }
        }

        result.End = ForwardEnd.PassedOn;
        var policy = request.Settings.Policy;
        var directives = ResponseCacheControl.FromResponse(result.Headers, policy.TargetedFieldNames);
        var storability = response.StatusCode == StatusCodes.Status206PartialContent
            ? PartialContent.EvaluateStorability(context.Request.Method, context.Request.Headers, request.Directives, result.Headers, directives)
            : Storability.Evaluate(context.Request.Method, context.Request.Headers, request.Directives, response.StatusCode, result.Headers, directives);
        var outlook = StoringOutlook.SizeUnknown;
        if (storability.IsStorable && VaryKey.TryCompute(result.Headers[HeaderNames.Vary], context.Request.Headers, out var varyKey))
        {
            // The entry but for its body, built now: its size, freshness and tags are what Cache-Status speaks of.
            var entry = CacheEntries.Create(request, varyKey, response.StatusCode, result.Headers, directives, ReadOnlyMemory<byte>.Empty, result.RequestTime, result.ResponseTime);
            outlook = EntrySize.Outlook(response.ContentLength, entry.Size, store.MaxEntryBytes);
            // A purge since the lookup that matches it would refuse it at the end: it is not even copied.
            decision.Entry = outlook == StoringOutlook.TooLarge || store.RemovedSince(request.RemovalMark, entry) ? null : entry;
        }
        var tooLarge = outlook == StoringOutlook.TooLarge;
        decision.Reason = storability.Reason;
        decision.TooLarge = tooLarge;
        if (!decision.WillStore)
        {
            // Only a leader's plain GET speaks for the key: a 304 or 206 to a client's own conditions does not.
            if (plan.Leading is not null && (tooLarge || IsAboutTheResponse(storability.Reason)))
            {
                collapsing.RememberUncacheable(request.KeyText);
            }
            Release(plan, new CollapseOutcome(false, response.StatusCode));
        }

        if (request.Settings.OwnTargetedField is { } own)
        {
            response.Headers.Remove(own);
        }
        var status = request.Status(options.Value.CacheName) with
        {
            Forward = plan.Reason,
            ForwardStatus = response.StatusCode,
            // RFC 9211 §2.5: "stored" only when it will be, as far as can be known before the body (docs/caching.md).
            Stored = decision.WillStore && outlook == StoringOutlook.Fits,
            Collapsed = plan.Collapsed,
            TimeToLive = decision.Entry?.Freshness.TimeToLive(now),
        };
        CacheStatusField.Append(response.Headers, status);
        return decision.WillStore ? ResponseHandling.StreamAndStore : ResponseHandling.StreamOnly;
    }

    /// <summary>After a response went to the client: store it if whole, and keep the validated entry consistent with it.</summary>
    private async Task AfterPassedOnAsync(CacheRequest request, ForwardPlan plan, ForwardResult result, StoringDecision decision, ReadOnlyMemory<byte>? body)
    {
        var context = request.Context;
        CachedResponse? entry = null;
        // §3.3: only a body that arrived whole — the pipeline did not abort the exchange, and Content-Length, if any, was met.
        if (decision.WillStore && body is { } captured && !context.RequestAborted.IsCancellationRequested
            && Storability.IsComplete(result.Headers, captured.Length))
        {
            entry = decision.Entry!.IsPartial
                ? await CombinePartAsync(request, decision.Entry, captured, result)
                : decision.Entry with { Body = captured };
            result.Stored = entry is not null && await store.SetAsync(entry, request.RemovalMark);
            if (result.Stored)
            {
                collapsing.ForgetUncacheable(request.KeyText);
            }
        }
        Release(plan, new CollapseOutcome(result.Stored, result.StatusCode));

        if (plan.Validating is not { } validating)
        {
            return;
        }
        if (request.IsHead)
        {
            // §4.3.5: a 200 to HEAD freshens the stored GET when the validators and length agree, else makes it stale.
            if (result.StatusCode == StatusCodes.Status200OK)
            {
                if (Revalidation.EvaluateHead(new StoredHeaderView(validating.Headers), result.Headers) == HeadFreshening.Update)
                {
                    await store.SetAsync(CacheEntries.Freshen(validating, result.Headers, request.Settings, result.RequestTime, result.ResponseTime), request.RemovalMark);
                }
                else
                {
                    await store.RemoveAsync(validating);
                }
            }
            return;
        }
        // A full response supersedes the validated one (§4.3.3): when it was stored under another Vary, or the origin now
        // refuses storing, the old variant goes rather than being served again.
        // An origin error is no new representation: it leaves the stored one alone.
        var superseded = result.Stored
            ? entry!.VaryKey != validating.VaryKey
            : !Reuse.IsOriginError(result.StatusCode) && (decision.WillStore || decision.TooLarge || IsAboutTheResponse(decision.Reason));
        if (superseded)
        {
            await store.RemoveAsync(validating);
        }
    }

    /// <summary>
    /// The entry to store for a part just received: combined with the parts stored for its variant (RFC 9111 §3.4,
    /// <see cref="CacheEntries.CombinePart"/>). Two parts of one variant arriving at once may each combine with what was
    /// stored before either, and the later write then drops the other's bytes: a later request for them goes to the
    /// origin again, which costs a forward, never a wrong answer.
    /// </summary>
    private async Task<CachedResponse?> CombinePartAsync(CacheRequest request, CachedResponse received, ReadOnlyMemory<byte> bytes, ForwardResult result)
    {
        CachedResponse? current = null;
        foreach (var variant in await store.GetAsync(request.KeyText, CancellationToken.None))
        {
            if (variant.VaryKey == received.VaryKey)
            {
                current = variant;
            }
        }
        return CacheEntries.CombinePart(current, received, bytes, request.Settings, result.RequestTime, result.ResponseTime);
    }

    private void GiveUpStoring(CacheRequest request, ForwardPlan plan, ForwardResult result)
    {
        if (plan.Leading is not null)
        {
            collapsing.RememberUncacheable(request.KeyText);
        }
        Release(plan, new CollapseOutcome(false, result.StatusCode));
    }

    private void Release(ForwardPlan plan, CollapseOutcome outcome)
    {
        if (plan.Leading is { } leading)
        {
            collapsing.Finish(leading, outcome);
        }
    }

    /// <summary>Reasons that come from the response itself, and so would come again for the next request of the key.</summary>
    private static bool IsAboutTheResponse(NotStorableReason reason) =>
        reason is NotStorableReason.ResponseNoStore or NotStorableReason.Private or NotStorableReason.VaryAll
            or NotStorableReason.NoFreshnessInformation or NotStorableReason.StatusNotUnderstood or NotStorableReason.SetCookie;

    private static void Restore(HttpContext context, IHttpResponseBodyFeature body, IHttpResponseTrailersFeature? trailers)
    {
        context.Features.Set(body);
        context.Features.Set(trailers);
    }

    private static HeaderDictionary Copy(IHeaderDictionary headers)
    {
        var copy = new HeaderDictionary(headers.Count);
        foreach (var (name, value) in headers)
        {
            copy[name] = value;
        }
        return copy;
    }

    /// <summary>What <see cref="Decide"/> found out about storing, for when the body has arrived.</summary>
    private sealed class StoringDecision
    {
        /// <summary>The entry to store, but for its body; null when the response will not be stored.</summary>
        public CachedResponse? Entry { get; set; }

        public bool WillStore => Entry is not null;

        public NotStorableReason Reason { get; set; }

        public bool TooLarge { get; set; }
    }
}
