using Gatehouse.Caching.Middleware;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Compression;

/// <summary>
/// Makes an encoded variant from a stored identity one, without the backend: the cache offers its fresh variants on a
/// Vary miss (<see cref="IStoredVariantsFeature"/>). Only a complete 200 that varies on Accept-Encoding alone qualifies,
/// so that nothing but the coding distinguishes the two. The work is bounded: the body is at most the cache's largest
/// entry, and the stored level is used only up to <see cref="RouteCompression.StoredLevelMaxBytes"/>.
/// </summary>
internal static class StoredVariantEncoding
{
    private const int ChunkBytes = 64 * 1024;

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
        foreach (var (name, values) in stored.Headers)
        {
            if (!name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(HeaderNames.AcceptRanges, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[name] = values;
            }
        }
        // The copy is as old as what it is made from (RFC 9111 §4.2.3), so it expires with it.
        response.Headers.Age = ((long)identity.Age.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
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
