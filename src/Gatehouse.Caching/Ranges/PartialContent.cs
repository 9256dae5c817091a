using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>One stored part of a representation: bytes <see cref="First"/> to <see cref="Last"/> of <see cref="CompleteLength"/>.</summary>
public readonly record struct ContentPart(long First, long Last, long CompleteLength)
{
    public long Length => Last - First + 1;
}

/// <summary>
/// RFC 9111 §3.3 and §3.4 as pure functions: which 206 responses a cache may keep as parts of a representation, when a
/// new part may be combined with stored ones, which request ranges the stored parts answer, and when the parts make
/// the whole. Not yet used by <c>HttpCacheMiddleware</c>: the store keeps whole responses only (docs/caching-rfc9111.md).
/// </summary>
public static class PartialContent
{
    /// <summary>
    /// A 206 with one range may be kept as a part (§3.3: "a cache that supports range requests MAY store partial
    /// responses") when its <c>Content-Range</c> is <c>bytes first-last/complete</c> with a known complete length (§14.4;
    /// <c>*</c> leaves nothing to complete), the body is exactly that long, and it has a strong entity tag: §3.4 combines
    /// parts only under one strong validator, and a cache cannot prove a Last-Modified strong (RFC 9110 §8.8.2.2). A
    /// multipart/byteranges 206 has no <c>Content-Range</c> of its own and is not kept.
    /// </summary>
    public static bool TryReadPart(int statusCode, IHeaderDictionary headers, long bodyLength, out ContentPart part)
    {
        part = default;
        return statusCode == StatusCodes.Status206PartialContent
            && TryParseContentRange(headers[HeaderNames.ContentRange], out part)
            && part.Length == bodyLength
            && StrongETag(headers) is not null;
    }

    /// <summary>
    /// §14.4: <c>bytes first-last/complete-length</c>, first ≤ last &lt; complete length. Unsatisfied-range forms
    /// (<c>bytes */n</c>), an unknown length (<c>/*</c>), other units and anything malformed fail.
    /// </summary>
    public static bool TryParseContentRange(string? value, out ContentPart part)
    {
        part = default;
        var text = (value ?? "").AsSpan().Trim(" \t");
        if (!text.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        text = text[6..].TrimStart(' ');
        var dash = text.IndexOf('-');
        var slash = text.IndexOf('/');
        if (dash <= 0 || slash < dash + 2)
        {
            return false;
        }
        if (!Digits(text[..dash], out var first) || !Digits(text[(dash + 1)..slash], out var last) || !Digits(text[(slash + 1)..], out var complete))
        {
            return false;
        }
        if (last < first || last >= complete)
        {
            return false;
        }
        part = new ContentPart(first, last, complete);
        return true;
    }

    /// <summary>
    /// §3.4: a new part is combined with stored ones only when both carry the same strong entity tag (strong comparison,
    /// RFC 9110 §8.8.3.2) and state the same complete length. Anything else means another representation: the stored
    /// parts are dropped rather than mixed with it.
    /// </summary>
    public static bool CanCombine(IHeaderDictionary stored, ContentPart storedPart, IHeaderDictionary received, ContentPart receivedPart) =>
        StrongETag(stored) is { } a && StrongETag(received) is { } b && a == b && storedPart.CompleteLength == receivedPart.CompleteLength;

    /// <summary>
    /// The stored parts with <paramref name="received"/> added: sorted, with overlapping and adjacent parts merged, so
    /// the list is the set of bytes held. (§3.4 then updates the stored header fields from the newest response, as
    /// §3.2 does for a 304: <see cref="StoredHeaders.Update"/>, which leaves Content-Range to the parts.)
    /// </summary>
    public static IReadOnlyList<ContentPart> Combine(IReadOnlyList<ContentPart> stored, ContentPart received)
    {
        var all = new List<ContentPart>(stored.Count + 1);
        all.AddRange(stored);
        all.Add(received);
        all.Sort((x, y) => x.First.CompareTo(y.First));
        var merged = new List<ContentPart>(all.Count) { all[0] };
        for (var i = 1; i < all.Count; i++)
        {
            var last = merged[^1];
            if (all[i].First <= last.Last + 1)
            {
                merged[^1] = last with { Last = Math.Max(last.Last, all[i].Last) };
            }
            else
            {
                merged.Add(all[i]);
            }
        }
        return merged;
    }

    /// <summary>§3.4: the parts hold the whole representation, which can then be stored and served as a 200.</summary>
    public static bool IsComplete(IReadOnlyList<ContentPart> parts) =>
        parts.Count == 1 && parts[0].First == 0 && parts[0].Last == parts[0].CompleteLength - 1;

    /// <summary>
    /// Whether the stored parts answer a request's range (§3.3: a stored partial response may answer a request whose
    /// range it covers, with a 206 of its own): the spec, resolved against the complete length, must lie inside one
    /// held part. Returns that range; null when the request must go to the origin (or the spec is unsatisfiable, which
    /// the origin answers with its 416).
    /// </summary>
    public static ContentPart? Covering(IReadOnlyList<ContentPart> parts, ByteRangeSpec spec)
    {
        if (parts.Count == 0)
        {
            return null;
        }
        var complete = parts[0].CompleteLength;
        long first, last;
        if (spec.IsSuffix)
        {
            if (spec.Last is not { } suffix || suffix == 0)
            {
                return null;
            }
            first = Math.Max(0, complete - suffix);
            last = complete - 1;
        }
        else
        {
            first = spec.First!.Value;
            if (first >= complete)
            {
                return null;
            }
            last = spec.Last is { } l && l < complete ? l : complete - 1;
        }
        foreach (var part in parts)
        {
            if (part.First <= first && last <= part.Last)
            {
                return new ContentPart(first, last, complete);
            }
        }
        return null;
    }

    /// <summary>The Content-Range of an answer made from stored parts.</summary>
    public static string ContentRange(ContentPart range) =>
        string.Create(CultureInfo.InvariantCulture, $"bytes {range.First}-{range.Last}/{range.CompleteLength}");

    private static string? StrongETag(IHeaderDictionary headers) =>
        EntityTag.TryParseSingle(headers[HeaderNames.ETag], out var tag) && !tag.IsWeak ? tag.Opaque : null;

    private static bool Digits(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
