using Gatehouse.Caching.Middleware;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Compression;

/// <summary>
/// Answers a Vary miss from what the cache holds, without the backend: the cache offers its fresh variants
/// (<see cref="IStoredVariantsFeature"/>). A variant already in the chosen coding is sent as it is (another spelling of
/// Accept-Encoding, such as <c>br, gzip</c> after <c>gzip, br</c>, chose the same coding); otherwise the identity
/// variant is encoded. Only a complete 200 that varies on Accept-Encoding alone qualifies, so that nothing but the
/// coding distinguishes the variants. The work is bounded: the body is at most the cache's largest entry, and the stored
/// level is used only up to <see cref="RouteCompression.StoredLevelMaxBytes"/>.
/// </summary>
internal static class StoredVariantEncoding
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>A fresh variant already in <paramref name="coding"/>, varying on Accept-Encoding alone.</summary>
    public static StoredVariant? PickEncoded(IStoredVariantsFeature stored, ContentCoding coding)
    {
        foreach (var variant in stored.Fresh)
        {
            var response = variant.Response;
            if (response.StatusCode == StatusCodes.Status200OK
                && response.Headers.TryGetValue(HeaderNames.ContentEncoding, out var encoding) && encoding.Count == 1
                && string.Equals(encoding[0]?.Trim(), ContentCodings.Name(coding), StringComparison.OrdinalIgnoreCase)
                && VariesOnAcceptEncodingAlone(response.Headers.GetValueOrDefault(HeaderNames.Vary)))
            {
                return variant;
            }
        }
        return null;
    }

    /// <summary>Sends a stored variant as it is (it is already what this request negotiated), as old as it is.</summary>
    public static async Task CopyAsync(HttpContext context, StoredVariant variant)
    {
        var stored = variant.Response;
        var response = context.Response;
        response.StatusCode = stored.StatusCode;
        CopyHeaders(stored, response, variant.Age);
        response.ContentLength = stored.Body.Length;
        await response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    /// <summary>A fresh identity variant that may be encoded: eligible, and varying on Accept-Encoding alone.</summary>
    public static StoredVariant? Pick(IStoredVariantsFeature stored, RouteCompression settings)
    {
        foreach (var variant in stored.Fresh)
        {
            var response = variant.Response;
            IHeaderDictionary headers = new HeaderDictionary(response.Headers.ToDictionary(StringComparer.OrdinalIgnoreCase));
            headers.ContentLength = response.Body.Length;
            if (response.StatusCode == StatusCodes.Status200OK && VariesOnAcceptEncodingAlone(headers.Vary)
                && ResponseEligibility.Decide(response.StatusCode, headers, settings.Types, settings.MinimumSize) == CompressionRefusal.Eligible)
            {
                return variant;
            }
        }
        return null;
    }

    public static async Task WriteAsync(HttpContext context, StoredVariant identity, ContentCoding coding, RouteCompression settings, CompressionStats stats)
    {
        var stored = identity.Response;
        var response = context.Response;
        response.StatusCode = stored.StatusCode;
        CopyHeaders(stored, response, identity.Age);
        response.Headers.Remove(HeaderNames.AcceptRanges);
        response.Headers.ContentEncoding = ContentCodings.Name(coding);
        if (EncodedEntityTags.ForCoding(response.Headers.ETag.ToString(), coding) is { } etag)
        {
            response.Headers.ETag = etag;
        }
        var level = stored.Body.Length <= RouteCompression.StoredLevelMaxBytes ? settings.StoredLevels[coding] : settings.Levels[coding];
        stats.Compressed(coding, fromStored: true);
        await using (var encoder = Encoders.Create(coding, level, response.Body))
        {
            for (var offset = 0; offset < stored.Body.Length; offset += ChunkBytes)
            {
                var chunk = stored.Body.Slice(offset, Math.Min(ChunkBytes, stored.Body.Length - offset));
                await encoder.WriteAsync(chunk, context.RequestAborted);
            }
        }
    }

    private static void CopyHeaders(Gatehouse.Caching.Storage.CachedResponse stored, HttpResponse response, TimeSpan age)
    {
        foreach (var (name, values) in stored.Headers)
        {
            if (!name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase) && !name.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[name] = values;
            }
        }
        // The answer is as old as what it is made from (RFC 9111 §4.2.3), so it expires with it.
        response.Headers.Age = ((long)age.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool VariesOnAcceptEncodingAlone(StringValues vary)
    {
        var found = false;
        foreach (var value in vary)
        {
            foreach (var range in (value ?? "").AsSpan().Split(','))
            {
                var member = value.AsSpan()[range].Trim(" \t");
                if (member.IsEmpty)
                {
                    continue;
                }
                if (!member.Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                found = true;
            }
        }
        return found;
    }
}
