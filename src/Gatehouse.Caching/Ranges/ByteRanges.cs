using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>Range requests answered from a stored full response: RFC 9110 §14 and §13.1.5 (If-Range).</summary>
public static class ByteRanges
{
    /// <summary>
    /// Decides for a stored 200 response of <paramref name="length"/> bytes. The Range is ignored (full response) when
    /// the method is not GET (§14.2 MUST), the stored status is not 200, the unit is not bytes, the header is invalid,
    /// the If-Range condition fails (§13.1.5 MUST), or the content is empty. One satisfiable range gives 206 with
    /// <c>Content-Range: bytes first-last/length</c>; one unsatisfiable range gives 416 with <c>bytes */length</c>
    /// (§15.5.17). Several ranges are answered with the full 200 response, which §14.2 allows ("A server MAY ignore the
    /// Range header field"): it avoids multipart/byteranges and the overlapping-ranges attacks of §17.15.
    /// </summary>
    public static RangeDecision Decide(string method, IHeaderDictionary requestHeaders, int storedStatusCode, IHeaderDictionary storedHeaders, long length)
    {
        var range = requestHeaders[HeaderNames.Range];
        if (!HttpMethods.IsGet(method) || storedStatusCode != 200 || range.Count != 1 || length <= 0
            || !TryParse(range[0], out var specs) || specs.Count != 1
            || !IfRangeHolds(requestHeaders[HeaderNames.IfRange], storedHeaders))
        {
            return RangeDecision.Full(length);
        }
        var spec = specs[0];
        long first, last;
        if (spec.IsSuffix)
        {
            // §14.1.2: a suffix longer than the content selects all of it; a zero suffix is unsatisfiable.
            if (spec.Last == 0)
            {
                return NotSatisfiable(length);
            }
            first = Math.Max(0, length - spec.Last!.Value);
            last = length - 1;
        }
        else
        {
            first = spec.First!.Value;
            if (first >= length)
            {
                return NotSatisfiable(length);
            }
            last = spec.Last is { } l && l < length ? l : length - 1;
        }
        var contentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {first}-{last}/{length}");
        return new RangeDecision(RangeOutcome.Partial, first, last - first + 1, contentRange);
    }

    /// <summary>
    /// Parses <c>bytes=range-spec, …</c> (§14.1.1, §14.1.2). The unit is case-insensitive; any invalid range-spec
    /// (last before first, no digits, a number too large) makes the whole specifier invalid.
    /// </summary>
    public static bool TryParse(string? value, out IReadOnlyList<ByteRangeSpec> ranges)
    {
        ranges = [];
        var text = (value ?? "").AsSpan().Trim(" \t");
        var equals = text.IndexOf('=');
        if (equals < 0 || !text[..equals].Trim(" \t").Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var members = FieldList.Members(new StringValues(text[(equals + 1)..].ToString()));
        if (members.Count == 0)
        {
            return false;
        }
        var specs = new List<ByteRangeSpec>();
        foreach (var member in members)
        {
            var dash = member.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                return false;
            }
            var firstText = member.AsSpan(0, dash);
            var lastText = member.AsSpan(dash + 1);
            long? first = null, last = null;
            if (!firstText.IsEmpty)
            {
                if (!TryDigits(firstText, out var f))
                {
                    return false;
                }
                first = f;
            }
            if (!lastText.IsEmpty)
            {
                if (!TryDigits(lastText, out var l))
                {
                    return false;
                }
                last = l;
            }
            if ((first is null && last is null) || (first is not null && last is not null && last < first))
            {
                return false;
            }
            specs.Add(new ByteRangeSpec(first, last));
        }
        ranges = specs;
        return true;
    }

    /// <summary>
    /// §13.1.5: absent, or matching the stored response — an entity tag by strong comparison, or a date equal to the
    /// stored Last-Modified when that one is strong: at least 60 seconds before the stored Date (RFC 9110 §8.8.2.2,
    /// the rule for an intermediate cache). Otherwise the Range is ignored.
    /// </summary>
    internal static bool IfRangeHolds(StringValues ifRange, IHeaderDictionary storedHeaders)
    {
        if (ifRange.Count == 0)
        {
            return true;
        }
        if (ifRange.Count > 1)
        {
            return false;
        }
        var text = ifRange[0]!.Trim();
        if (text.StartsWith('"') || text.StartsWith("W/", StringComparison.Ordinal))
        {
            return EntityTag.TryParseSingle(text, out var tag)
                && EntityTag.TryParseSingle(storedHeaders[HeaderNames.ETag], out var stored)
                && tag.StrongEquals(stored);
        }
        var reference = DateTimeOffset.UnixEpoch; // only resolves two-digit years, the same way for every field
        return HttpDate.TryParse(text, reference, out var date)
            && HttpDate.TryParse(storedHeaders[HeaderNames.LastModified], reference, out var lastModified)
            && HttpDate.TryParse(storedHeaders[HeaderNames.Date], reference, out var storedDate)
            && date == lastModified
            && storedDate - lastModified >= TimeSpan.FromSeconds(60);
    }

    private static RangeDecision NotSatisfiable(long length) =>
        new(RangeOutcome.NotSatisfiable, 0, 0, string.Create(CultureInfo.InvariantCulture, $"bytes */{length}"));

    private static bool TryDigits(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
