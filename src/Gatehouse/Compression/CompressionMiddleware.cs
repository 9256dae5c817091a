using Gatehouse.Caching.Middleware;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Compression;

/// <summary>
/// Compresses responses of routes with compression on (<see cref="RouteCompression"/>), below the HTTP cache so that the
/// cache stores each encoding as a variant (the response varies on Accept-Encoding) and serves it again without
/// compressing. On a cache miss for an encoding whose identity variant is stored, it encodes that one instead of asking
/// the backend (<see cref="StoredVariantEncoding"/>). Request bodies are never decoded.
/// </summary>
internal sealed class CompressionMiddleware(RequestDelegate next, CompressionStats stats)
{
    private readonly RequestDelegate _next = next;
    private readonly CompressionStats _stats = stats;

    public Task InvokeAsync(HttpContext context)
    {
        var settings = RouteRuntime.Of(context)?.Get<RouteCompression>();
        return settings is null ? _next(context) : CompressAsync(context, settings);
    }

    private async Task CompressAsync(HttpContext context, RouteCompression settings)
    {
        var headers = context.Request.Headers;
        var choice = AcceptEncoding.Choose(headers.AcceptEncoding, settings.Preference);
        // A range of an encoded representation is a range of bytes nobody has seen yet; the identity one is served instead.
        var requestAllows = !headers.ContainsKey(HeaderNames.Range);
        var held = BackendConditions(headers);

        if (requestAllows && choice.Coding is { } coding && HttpMethods.IsGet(context.Request.Method) && !IsConditional(headers)
            && context.Features.Get<IStoredVariantsFeature>() is { } stored)
        {
            if (StoredVariantEncoding.PickEncoded(stored, coding) is { } encoded)
            {
                await StoredVariantEncoding.CopyAsync(context, encoded);
                return;
            }
            if (StoredVariantEncoding.Pick(stored, settings) is { } identity)
            {
                await StoredVariantEncoding.WriteAsync(context, identity, coding, settings, _stats);
                return;
            }
        }

        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var body = new CompressingResponseBody(context, original, settings, choice, requestAllows, held, _stats);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        try
        {
            await _next(context);
            await body.FinishAsync();
        }
        finally
        {
            context.Features.Set(original);
            body.ReleaseEncoder();
        }
    }

    /// <summary>
    /// Gives the backend the identity tags behind the encoded ones the client holds (If-None-Match, If-Match), and
    /// returns the encoded tags of If-None-Match so that a 304 can name the one the client has.
    /// </summary>
    private static IReadOnlyList<string> BackendConditions(IHeaderDictionary headers)
    {
        IReadOnlyList<string> held = [];
        if (headers.IfNoneMatch is { Count: > 0 } noneMatch)
        {
            held = EncodedTagsOf(noneMatch);
            headers.IfNoneMatch = EncodedEntityTags.ToIdentity(noneMatch);
        }
        if (headers.IfMatch is { Count: > 0 } match)
        {
            headers.IfMatch = EncodedEntityTags.ToIdentity(match);
        }
        return held;
    }

    private static List<string> EncodedTagsOf(StringValues field)
    {
        var tags = new List<string>();
        foreach (var value in field)
        {
            foreach (var range in (value ?? "").AsSpan().Split(','))
            {
                var member = value.AsSpan()[range].Trim(" \t").ToString();
                EncodedEntityTags.StripCoding(member, out var coding);
                if (coding is not null)
                {
                    tags.Add(member);
                }
            }
        }
        return tags;
    }

    private static bool IsConditional(IHeaderDictionary headers) =>
        headers.ContainsKey(HeaderNames.IfNoneMatch) || headers.ContainsKey(HeaderNames.IfModifiedSince)
        || headers.ContainsKey(HeaderNames.IfMatch) || headers.ContainsKey(HeaderNames.IfUnmodifiedSince);
}
