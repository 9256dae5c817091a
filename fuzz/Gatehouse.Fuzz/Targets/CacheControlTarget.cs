using Gatehouse.Caching;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// Cache-Control (RFC 9111 §5.2) as a request and as a response field, each LF-separated line one field line, and as a
/// targeted field (RFC 9213). The parsers return a value for any input; ages are never negative, and reading the same
/// lines twice gives the same answer. Field lines without quotes mean what their comma-joined value means (RFC 9110 §5.3).
/// </summary>
public static class CacheControlTarget
{
    public static void Run(byte[] data)
    {
        var text = FieldText.Of(data);
        var lines = FieldText.Lines(text);
        var request = RequestCacheControl.Parse(lines, lines);
        var response = ResponseCacheControl.Parse(lines);
        FindingException.Unless(request == RequestCacheControl.Parse(lines, lines), "request parse not deterministic");
        foreach (var age in new[] { request.MaxAge, request.MaxStaleLimit, request.MinFresh, request.StaleIfError, response.MaxAge, response.SharedMaxAge, response.StaleWhileRevalidate, response.StaleIfError })
        {
            FindingException.Unless(age is null || age >= TimeSpan.Zero, $"negative age {age}");
        }

        if (!text.Contains('"', StringComparison.Ordinal) && lines.Count > 1)
        {
            var joined = string.Join(", ", lines.ToArray());
            FindingException.Unless(SameResponse(response, ResponseCacheControl.Parse(joined)), "lines and their comma-joined value disagree (response)");
            FindingException.Unless(request == RequestCacheControl.Parse(joined, lines), "lines and their comma-joined value disagree (request)");
        }

        if (ResponseCacheControl.TryParseTargeted(lines, "CDN-Cache-Control", out var targeted))
        {
            FindingException.Unless(targeted.MaxAge is null || targeted.MaxAge >= TimeSpan.Zero, "negative targeted max-age");
        }
    }

    private static bool SameResponse(ResponseCacheControl a, ResponseCacheControl b) =>
        a with { NoCacheFields = [], PrivateFields = [] } == b with { NoCacheFields = [], PrivateFields = [] }
        && a.NoCacheFields.SequenceEqual(b.NoCacheFields) && a.PrivateFields.SequenceEqual(b.PrivateFields);
}
