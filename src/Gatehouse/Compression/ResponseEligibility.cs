using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Compression;

/// <summary>Why a response is not compressed; <see cref="Eligible"/> when it may be.</summary>
public enum CompressionRefusal
{
    Eligible,
    NoBody,
    PartialContent,
    AlreadyEncoded,
    NoTransform,
    Type,
    TooSmall,
}

/// <summary>
/// Whether a response's representation may be compressed, from the response alone (pure). An eligible response varies
/// on Accept-Encoding whether or not this request gets it compressed.
/// </summary>
public static class ResponseEligibility
{
    public static CompressionRefusal Decide(int status, IHeaderDictionary headers, CompressibleTypes types, long minimumSize)
    {
        // 1xx, 204 and 304 have no content (RFC 9110 §6.4.1); 206 and any Content-Range carry a part of the identity
        // representation, and a range of the encoded one would be another representation.
        if (status is < 200 or 204 or 304)
        {
            return CompressionRefusal.NoBody;
        }
        if (status == StatusCodes.Status206PartialContent || headers.ContainsKey(HeaderNames.ContentRange))
        {
            return CompressionRefusal.PartialContent;
        }
        if (headers.TryGetValue(HeaderNames.ContentEncoding, out var encoding) && !IsIdentity(encoding.ToString()))
        {
            return CompressionRefusal.AlreadyEncoded;
        }
        if (HasNoTransform(headers))
        {
            return CompressionRefusal.NoTransform; // RFC 9110 §7.7: an intermediary must not change the content coding
        }
        // gRPC and gRPC-Web compress per message (grpc-encoding), and a streamed call must not wait on an encoder's buffer.
        if (!types.Matches(headers.ContentType) || Gatehouse.Http.GrpcAnswers.IsGrpcContentType(headers.ContentType))
        {
            return CompressionRefusal.Type;
        }
        if (headers.ContentLength is { } length && length < minimumSize)
        {
            return CompressionRefusal.TooSmall;
        }
        return CompressionRefusal.Eligible;
    }

    public static bool HasNoTransform(IHeaderDictionary headers) => HasDirective(headers, "no-transform");

    /// <summary>Whether Cache-Control holds the directive (names are case-insensitive, RFC 9111 §5.2).</summary>
    public static bool HasDirective(IHeaderDictionary headers, string name)
    {
        foreach (var value in headers.CacheControl)
        {
            if (value is null)
            {
                continue;
            }
            foreach (var range in value.AsSpan().Split(','))
            {
                var directive = value.AsSpan()[range].Trim(" \t");
                var equals = directive.IndexOf('=');
                if ((equals < 0 ? directive : directive[..equals]).TrimEnd(" \t").Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool IsIdentity(string value) => value.Trim().Length == 0 || value.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase);
}
