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
/// the whole. <c>HttpCacheMiddleware</c> stores parts as entries with a <see cref="SparseBody"/> (docs/caching.md).
/// </summary>
public static class PartialContent
{
    /// <summary>
    /// A 206 with one range may be kept as a part (§3.3: "a cache that supports range requests MAY store partial
    /// responses") when its <c>Content-Range</c> is <c>bytes first-last/complete</c> with a known complete length (§14.4;
    /// <c>*</c> leaves nothing to complete), the body is exactly that long, and it has a strong validator (see
    /// <see cref="StrongValidator"/>): §3.4 combines parts only under one. A multipart/byteranges 206 has no
    /// <c>Content-Range</c> of its own and is not kept.
    /// </summary>
    public static bool TryReadPart(int statusCode, IHeaderDictionary headers, long bodyLength, out ContentPart part)
    {
        part = default;
        return statusCode == StatusCodes.Status206PartialContent
            && TryParseContentRange(headers[HeaderNames.ContentRange], out part)
            && part.Length == bodyLength
            && StrongValidator(headers) is not null;
    }

    /// <summary>
    /// §3 for a 206 that may become a part: judged as the 200 it is part of. This cache understands 206 (it implements
    /// §3.3 and §3.4), 206 is heuristically cacheable like 200 (RFC 9110 §15.1), and every other condition of §3 reads
    /// the same fields. A 206 that cannot be kept as a part (several ranges, no complete length, no strong validator)
    /// stays <see cref="NotStorableReason.StatusNotUnderstood"/>, as every 206 was before.
    /// </summary>
    public static StorabilityDecision EvaluateStorability(
        string method,
        IHeaderDictionary requestHeaders,
        RequestCacheControl request,
        IHeaderDictionary responseHeaders,
        ResponseCacheControl response)
    {
        if (!TryParseContentRange(responseHeaders[HeaderNames.ContentRange], out _) || StrongValidator(responseHeaders) is null)
        {
            return new(NotStorableReason.StatusNotUnderstood);
        }
        return Storability.Evaluate(method, requestHeaders, request, StatusCodes.Status200OK, responseHeaders, response);
    }

    /// <summary>
    /// The range stored parts answer for a request, or null when the request must go on: only a GET with one Range field
    /// of one bytes range-spec (several ranges are the origin's to answer, as a stored 200 answers them whole), whose
    /// If-Range, if any, holds against the stored validators (RFC 9110 §13.1.5: otherwise the full representation is
    /// due, which the parts are not), and whose range lies inside one held part (<see cref="Covering"/>).
    /// </summary>
    public static ContentPart? Answerable(string method, IHeaderDictionary requestHeaders, IHeaderDictionary storedHeaders, IReadOnlyList<ContentPart> parts)
    {
        var range = requestHeaders[HeaderNames.Range];
        if (!HttpMethods.IsGet(method) || range.Count != 1 || !ByteRanges.TryParse(range[0], out var specs) || specs.Count != 1
            || !ByteRanges.IfRangeHolds(requestHeaders[HeaderNames.IfRange], storedHeaders))
        {
            return null;
        }
        return Covering(parts, specs[0]);
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
    /// §3.4: a new part is combined with stored ones only when both carry the same strong validator (strong comparison,
    /// RFC 9110 §8.8.3.2; see <see cref="StrongValidator"/>) and state the same complete length. Anything else means
    /// another representation: the stored parts are dropped rather than mixed with it.
    /// </summary>
    public static bool CanCombine(IHeaderDictionary stored, ContentPart storedPart, IHeaderDictionary received, ContentPart receivedPart) =>
        SameStrongValidator(stored, received) && storedPart.CompleteLength == receivedPart.CompleteLength;

    /// <summary>Whether two responses carry the same strong validator: parts of one representation (§3.4).</summary>
    public static bool SameStrongValidator(IHeaderDictionary a, IHeaderDictionary b) =>
        StrongValidator(a) is { } first && StrongValidator(b) is { } second && first == second;

    /// <summary>
    /// The response's strong validator, or null: its entity tag when strong; without one, its Last-Modified when a cache
    /// may hold it strong (RFC 9110 §8.8.2.2: at least 60 seconds before the response's own Date, so that two changes
    /// within one second cannot share it). A weak entity tag is never strong, and it is not passed over for the date:
    /// the origin said the representation may change under it.
    /// </summary>
    public static string? StrongValidator(IHeaderDictionary headers)
    {
        var etag = headers[HeaderNames.ETag];
        if (etag.Count > 0)
        {
            return EntityTag.TryParseSingle(etag, out var tag) && !tag.IsWeak ? "etag " + tag.Opaque : null;
        }
        var reference = DateTimeOffset.UnixEpoch;
        return HttpDate.TryParse(headers[HeaderNames.LastModified], reference, out var lastModified)
            && HttpDate.TryParse(headers[HeaderNames.Date], reference, out var date)
            && date - lastModified >= TimeSpan.FromSeconds(60)
            ? "date " + lastModified.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
            : null;
    }

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

    private static bool Digits(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
