using System.Buffers;

namespace Gatehouse.Protection;

/// <summary>
/// Decides whether a request target is safe to route. Kestrel already decodes percent-escapes (except <c>%2F</c>) and
/// removes dot segments (<c>/a/%2e%2e/b</c> becomes <c>/b</c>) before routing, so a route's prefix cannot be left by dot
/// segments. What it keeps are separators that backends disagree about: an encoded slash (<c>%2F</c>), a backslash,
/// raw or encoded (<c>%5C</c>; Windows and IIS treat it as a separator). A backend that decodes them after Gatehouse
/// routed the request could see <c>/api/..%2f..%2fadmin</c> as <c>/admin</c>. Those targets are refused.
/// </summary>
public static class PathNormalization
{
    private static readonly SearchValues<char> Suspicious = SearchValues.Create("%\\");

    /// <summary>True when the raw request target (as the client sent it) holds no ambiguous separator.</summary>
    public static bool IsSafeTarget(ReadOnlySpan<char> rawTarget)
    {
        // The query is not part of the path: %2F there is ordinary data.
        var query = rawTarget.IndexOfAny('?', '#');
        var path = query < 0 ? rawTarget : rawTarget[..query];
        var at = path.IndexOfAny(Suspicious);
        while (at >= 0)
        {
            if (path[at] == '\\')
            {
                return false;
            }

            if (at + 2 < path.Length && IsEncodedSeparator(path[at + 1], path[at + 2]))
            {
                return false;
            }

            var next = path[(at + 1)..].IndexOfAny(Suspicious);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return true;
    }

    // %2F, %2f, %5C, %5c.
    private static bool IsEncodedSeparator(char high, char low) =>
        (high == '2' && (low is 'F' or 'f')) || (high == '5' && (low is 'C' or 'c'));
}
