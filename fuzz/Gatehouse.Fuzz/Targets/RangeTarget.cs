using Gatehouse.Caching;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// Range (RFC 9110 §14) and If-Range (§13.1.5) against a stored 200 response. The first LF-separated line is the Range,
/// the second If-Range, the third the stored ETag, the fourth its Last-Modified; the first two bytes pick the content
/// length. Every range read has first ≤ last, and a 206 decision stays inside the content and says so in Content-Range.
/// </summary>
public static class RangeTarget
{
    public static void Run(byte[] data)
    {
        if (data.Length < 2)
        {
            return;
        }

        var length = (long)((data[0] << 8) | data[1]);
        var lines = FieldText.Of(data.AsSpan(2)).Split('\n');
        if (ByteRanges.TryParse(lines[0], out var specs))
        {
            FindingException.Unless(specs.Count > 0, "a valid Range with no range");
            foreach (var spec in specs)
            {
                FindingException.Unless(spec.First is not null || spec.Last is not null, "a range with neither end");
                FindingException.Unless(spec.First is null || spec.Last is null || spec.First <= spec.Last, $"range {spec} ends before it starts");
                FindingException.Unless(spec.First is null or >= 0 && spec.Last is null or >= 0, $"negative range {spec}");
            }
        }

        var request = new HeaderDictionary { ["Range"] = lines[0] };
        if (lines.Length > 1)
        {
            request["If-Range"] = lines[1];
        }

        var stored = new HeaderDictionary { ["Date"] = "Sun, 06 Dec 2026 00:00:00 GMT" };
        if (lines.Length > 2)
        {
            stored["ETag"] = lines[2];
        }

        if (lines.Length > 3)
        {
            stored["Last-Modified"] = lines[3];
        }

        var decision = ByteRanges.Decide("GET", request, 200, stored, length);
        switch (decision.Outcome)
        {
            case RangeOutcome.Partial:
                FindingException.Unless(decision.Offset >= 0 && decision.Length > 0 && decision.Offset + decision.Length <= length, $"206 outside the content: {decision}");
                FindingException.Unless(decision.ContentRange == $"bytes {decision.Offset}-{decision.Offset + decision.Length - 1}/{length}", $"Content-Range disagrees: {decision}");
                break;
            case RangeOutcome.NotSatisfiable:
                FindingException.Unless(decision.ContentRange == $"bytes */{length}", $"416 Content-Range: {decision}");
                break;
            default:
                FindingException.Unless(decision.Offset == 0 && decision.Length == length, $"full response not whole: {decision}");
                break;
        }
    }
}
