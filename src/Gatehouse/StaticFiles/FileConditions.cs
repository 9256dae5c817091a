using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.StaticFiles;

/// <summary>What the preconditions of a GET or HEAD for a file decide.</summary>
public enum FileCondition
{
    /// <summary>Serve the file (a Range may still apply).</summary>
    Serve,

    /// <summary>304 Not Modified.</summary>
    NotModified,

    /// <summary>412 Precondition Failed.</summary>
    PreconditionFailed,
}

/// <summary>
/// RFC 9110 §13.2.2, in its order, for a file Gatehouse serves as the origin: If-Match (strong comparison) or else
/// If-Unmodified-Since, failing with 412; then If-None-Match (weak comparison) or else If-Modified-Since, giving 304 for
/// GET and HEAD. A date that does not parse, or a field given more than once where a single date is expected, is ignored
/// (§13.1.3, §13.1.4 MUST). If-Range belongs to <see cref="FileRanges"/>.
/// </summary>
public static class FileConditions
{
    public static FileCondition Evaluate(IHeaderDictionary request, FileValidators file)
    {
        var ifMatch = request[HeaderNames.IfMatch];
        if (ifMatch.Count > 0)
        {
            if (!Matches(ifMatch, file.ETag, strong: true))
            {
                return FileCondition.PreconditionFailed;
            }
        }
        else if (SingleDate(request[HeaderNames.IfUnmodifiedSince]) is { } unmodifiedSince && file.LastModified > unmodifiedSince)
        {
            return FileCondition.PreconditionFailed;
        }

        var ifNoneMatch = request[HeaderNames.IfNoneMatch];
        if (ifNoneMatch.Count > 0)
        {
            return Matches(ifNoneMatch, file.ETag, strong: false) ? FileCondition.NotModified : FileCondition.Serve;
        }
        return SingleDate(request[HeaderNames.IfModifiedSince]) is { } modifiedSince && file.LastModified <= modifiedSince
            ? FileCondition.NotModified
            : FileCondition.Serve;
    }

    /// <summary>
    /// §13.1.1 and §13.1.2: <c>*</c> matches any current representation; otherwise a listed tag matching by the given
    /// comparison. A list that does not parse matches nothing (If-Match then fails, If-None-Match serves the file).
    /// </summary>
    private static bool Matches(StringValues field, string etag, bool strong)
    {
        if (!EntityTagHeaderValue.TryParseStrictList(field, out var tags) || !EntityTagHeaderValue.TryParse(etag, out var current))
        {
            return false;
        }
        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: strong))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>One HTTP-date (§5.6.7); several field lines, or a value that is not a date, give none.</summary>
    private static DateTimeOffset? SingleDate(StringValues field) =>
        field.Count == 1 && HeaderUtilities.TryParseDate(field[0], out var date) ? date : null;
}
