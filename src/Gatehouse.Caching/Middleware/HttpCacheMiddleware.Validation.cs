using System.Runtime.ExceptionServices;
using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>Stale or refused entries: validation with the origin, and stale responses when it fails.</summary>
internal sealed partial class HttpCacheMiddleware
{
    // The client's own validation and range fields, replaced by the cache's validators while it validates (§4.3.1).
    private static readonly string[] ClientValidationFields = [HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfRange, HeaderNames.Range];

    // The client's own validators only: what is replaced while stored parts are validated.
    private static readonly string[] ClientValidatorFields = [HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince];

    /// <summary>
    /// The entry may not be used without the origin: validate it with a conditional request (§4.3.1). A 304 freshens
    /// and serves it (§4.3.4), a full response replaces it (§4.3.3), an origin error serves it stale when allowed (RFC
    /// 5861 §4, §4.2.4) — or 504 when must-revalidate forbids it and the origin is unreachable (§5.2.2.2).
    /// </summary>
    private async Task ValidateAsync(CacheRequest request, CachedResponse entry, CacheForwardReason reason)
    {
        var context = request.Context;
        if (RefusedAsOnlyIfCached(request))
        {
            return;
        }
        if (Conditions(request, entry) == ConditionalOutcome.Forward)
        {
            // Preconditions only the origin can evaluate (If-Match…): the request goes as it is.
            await ForwardAsync(request, new ForwardPlan(reason));
            return;
        }

        var clientFields = UseStoredValidators(context.Request.Headers, entry);
        ForwardResult result;
        try
        {
            result = await _forwarding.RunAsync(request, _next, new ForwardPlan(reason) { Validating = entry });
        }
        finally
        {
            RestoreClientFields(context.Request.Headers, clientFields);
        }

        switch (result.End)
        {
            case ForwardEnd.PassedOn:
                return;
            case ForwardEnd.NotModified:
                if (await _forwarding.FreshenAsync(request, entry, result) is not var (updated, stored))
                {
                    // The 304 names another representation (§4.3.4: update nothing): ask again, unconditionally.
                    context.Response.Clear();
                    await ForwardAsync(request, new ForwardPlan(reason));
                    return;
                }
                var now = _time.GetUtcNow();
                context.Response.Clear();
                var status = request.Status(CacheName) with
                {
                    Forward = reason,
                    ForwardStatus = StatusCodes.Status304NotModified,
                    Stored = stored,
                    TimeToLive = updated.Freshness.TimeToLive(now),
                };
                // The client's own conditions are answered by the freshened entry (§4.3.2).
                await StoredResponseWriter.WriteAsync(context, updated, Conditions(request, updated), status, now, request.Settings.OwnTargetedField);
                return;
            case ForwardEnd.OriginError:
                await ServeStaleOnErrorAsync(request, entry, reason, result.StatusCode);
                return;
            default:
                if (Reuse.CanServeStaleOnError(entry.Freshness, request.Directives, _time.GetUtcNow(), request.Settings.Policy))
                {
                    await ServeStaleOnErrorAsync(request, entry, reason, null);
                    return;
                }
                if (entry.Freshness.ForbidsStale)
                {
                    context.Response.Clear();
                    StoredResponseWriter.WriteGatewayTimeout(context, request.Status(CacheName) with { Forward = reason, Detail = "origin-unreachable" });
                    return;
                }
                ExceptionDispatchInfo.Throw(result.Error!);
                return;
        }
    }

    /// <summary>
    /// Serves the entry stale because the origin failed: <c>fwd-status</c> is the error it answered, absent when it
    /// could not be reached.
    /// </summary>
    private Task ServeStaleOnErrorAsync(CacheRequest request, CachedResponse entry, CacheForwardReason reason, int? originStatus)
    {
        var context = request.Context;
        var now = _time.GetUtcNow();
        context.Response.Clear();
        HttpCacheLog.ServedStaleOnError(_logger, request.KeyText, originStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unreachable");
        var status = request.Status(CacheName) with
        {
            Forward = reason,
            ForwardStatus = originStatus,
            TimeToLive = entry.Freshness.TimeToLive(now),
            Detail = "stale-if-error",
        };
        return StoredResponseWriter.WriteAsync(context, entry, Conditions(request, entry), status, now, request.Settings.OwnTargetedField);
    }

    /// <summary>Replaces the client's validation and range fields with the stored validators; returns the client's.</summary>
    private static List<KeyValuePair<string, StringValues>> UseStoredValidators(IHeaderDictionary headers, CachedResponse entry)
    {
        var saved = new List<KeyValuePair<string, StringValues>>();
        // Stored parts are validated with the client's Range kept: a 304 freshens them and they answer it, a 206 of the
        // same representation is combined with them, another representation replaces them (§3.4). Without the Range the
        // origin would send the whole representation to a client that asked for a part.
        var fields = entry.IsPartial ? ClientValidatorFields : ClientValidationFields;
        foreach (var name in fields)
        {
            if (headers.TryGetValue(name, out var value))
            {
                saved.Add(KeyValuePair.Create(name, value));
                headers.Remove(name);
            }
        }
        foreach (var (name, value) in Revalidation.ConditionalHeaders(new StoredHeaderView(entry.Headers)))
        {
            headers[name] = value;
        }
        return saved;
    }

    private static void RestoreClientFields(IHeaderDictionary headers, List<KeyValuePair<string, StringValues>> saved)
    {
        headers.Remove(HeaderNames.IfNoneMatch);
        headers.Remove(HeaderNames.IfModifiedSince);
        foreach (var (name, value) in saved)
        {
            headers[name] = value;
        }
    }
}
