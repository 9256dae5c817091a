using System.Globalization;
using Gatehouse.Caching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.StaticFiles;

/// <summary>What to send for a request that may carry a Range.</summary>
public enum FileRangeOutcome
{
    /// <summary>The whole file (no Range, or one that is ignored).</summary>
    Full,

    /// <summary>206 with one range and <c>Content-Range</c>, or with several as <c>multipart/byteranges</c>.</summary>
    Partial,

    /// <summary>416 with <c>Content-Range: bytes */length</c>.</summary>
    NotSatisfiable,
}

/// <summary>One range of a file: the first byte and how many.</summary>
public readonly record struct FileRange(long Offset, long Length)
{
    public string ContentRange(long total) => string.Create(CultureInfo.InvariantCulture, $"bytes {Offset}-{Offset + Length - 1}/{total}");
}

/// <summary>The decision of <see cref="FileRanges.Decide"/>.</summary>
public sealed record FileRangeDecision(FileRangeOutcome Outcome, IReadOnlyList<FileRange> Ranges)
{
    public static readonly FileRangeDecision Full = new(FileRangeOutcome.Full, []);

    public static readonly FileRangeDecision NotSatisfiable = new(FileRangeOutcome.NotSatisfiable, []);
}

/// <summary>
/// Range requests for a file Gatehouse serves as the origin (RFC 9110 §14, §13.1.5). The Range header is parsed by
/// <see cref="ByteRanges.TryParse"/> (the cache's parser); this part resolves the specs against the file's length.
/// </summary>
public static class FileRanges
{
    /// <summary>
    /// More ranges than this, after merging, and the whole file is sent instead (§14.2 lets a server ignore Range):
    /// §17.15's many-small-ranges abuse costs a part header per range. Apache answers 200 beyond 200 ranges.
    /// </summary>
    public const int MaxRanges = 32;

    /// <summary>
    /// Decides for a GET of a file of <paramref name="length"/> bytes. Ignored (whole file): another method (§14.2 MUST),
    /// no or several Range lines, another unit, a spec that does not parse, an If-Range that does not hold (§13.1.5), or
    /// too many ranges. Unsatisfiable specs are dropped; none left gives 416 (§15.5.17). Ranges that overlap or touch are
    /// merged and sorted (§14.2 allows it; it stops the overlapping-range abuse of §17.15).
    /// </summary>
    public static FileRangeDecision Decide(string method, IHeaderDictionary request, long length, FileValidators file, DateTimeOffset now)
    {
        var range = request[HeaderNames.Range];
        if (!HttpMethods.IsGet(method) || range.Count != 1 || !ByteRanges.TryParse(range[0], out var specs)
            || !IfRangeHolds(request[HeaderNames.IfRange], file, now))
        {
            return FileRangeDecision.Full;
        }
        var resolved = new List<FileRange>(specs.Count);
        foreach (var spec in specs)
        {
            if (Resolve(spec, length) is { } r)
            {
                resolved.Add(r);
            }
        }
        if (resolved.Count == 0)
        {
            return FileRangeDecision.NotSatisfiable;
        }
        var merged = Merge(resolved);
        return merged.Count > MaxRanges ? FileRangeDecision.Full : new FileRangeDecision(FileRangeOutcome.Partial, merged);
    }

    /// <summary>§14.1.2: <c>first-last</c> (last clipped to the end), <c>first-</c>, or the suffix <c>-n</c>; null when unsatisfiable.</summary>
    private static FileRange? Resolve(ByteRangeSpec spec, long length)
    {
        if (spec.IsSuffix)
        {
            var suffix = spec.Last!.Value;
            return suffix == 0 || length == 0 ? null : new FileRange(Math.Max(0, length - suffix), Math.Min(suffix, length));
        }
        var first = spec.First!.Value;
        if (first >= length)
        {
            return null;
        }
        var last = spec.Last is { } l && l < length ? l : length - 1;
        return new FileRange(first, last - first + 1);
    }

    private static List<FileRange> Merge(List<FileRange> ranges)
    {
        ranges.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var merged = new List<FileRange>(ranges.Count) { ranges[0] };
        for (var i = 1; i < ranges.Count; i++)
        {
            var last = merged[^1];
            var end = last.Offset + last.Length;
            if (ranges[i].Offset <= end)
            {
                var newEnd = Math.Max(end, ranges[i].Offset + ranges[i].Length);
                merged[^1] = new FileRange(last.Offset, newEnd - last.Offset);
            }
            else
            {
                merged.Add(ranges[i]);
            }
        }
        return merged;
    }

    /// <summary>
    /// §13.1.5: absent, or an entity tag equal to the file's by strong comparison, or a date equal to Last-Modified when
    /// that is strong. An origin may call its Last-Modified strong when it knows the file did not change twice within that
    /// second (§8.8.2.2): Gatehouse does once the second is over, that is, when the file is at least a second old.
    /// </summary>
    private static bool IfRangeHolds(StringValues ifRange, FileValidators file, DateTimeOffset now)
    {
        if (ifRange.Count == 0)
        {
            return true;
        }
        if (ifRange.Count > 1)
        {
            return false;
        }
        var text = (ifRange[0] ?? "").Trim();
        if (text.StartsWith('"') || text.StartsWith("W/", StringComparison.Ordinal))
        {
            return EntityTagHeaderValue.TryParse(text, out var tag) && EntityTagHeaderValue.TryParse(file.ETag, out var current)
                && tag.Compare(current, useStrongComparison: true);
        }
        return HeaderUtilities.TryParseDate(text, out var date) && date == file.LastModified
            && now - file.LastModified >= TimeSpan.FromSeconds(1);
    }
}
