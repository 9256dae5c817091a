using Gatehouse.Configuration;
using Gatehouse.Http;

namespace Gatehouse.Protection;

/// <summary>
/// When a backend's error response body is replaced by Gatehouse's own error page (same status, the backend's other
/// headers kept, its body discarded unread). A backend's pages are its content, as nginx, HAProxy, Envoy and Caddy treat
/// them: a designed 404 page, a maintenance 503 with Retry-After, an API's JSON or plain-text error all pass. What a
/// backend does not mean to send is the page of an unhandled exception, so by default one thing is replaced: a 500
/// whose body is a page for people (HTML, XHTML, plain text or untyped), where frameworks print stack traces.
/// <list type="bullet">
/// <item><see cref="ErrorPagePolicy.Statuses"/> (default: none): replaced whatever the body.</item>
/// <item><see cref="ErrorPagePolicy.PageStatuses"/> (default: 500): replaced only when the body is a page for people and
/// not empty.</item>
/// </list>
/// A response marked <c>Cache-Control: no-transform</c> is never replaced (RFC 9110 §7.7: an intermediary does not
/// transform its content).
/// </summary>
public static class ErrorPageDecision
{
    public static bool ShouldReplace(ErrorPagePolicy policy, int status, string? contentType, long? contentLength, bool noTransform = false)
    {
        if (!policy.Enabled || status < 400 || noTransform)
        {
            return false;
        }

        if (policy.Statuses.Contains(status))
        {
            return true;
        }

        // An empty body shows nothing; a page status only replaces content meant to be read by a person.
        return policy.PageStatuses.Contains(status) && contentLength != 0 && IsPageForPeople(contentType);
    }

    /// <summary>Whether the Cache-Control field values carry the <c>no-transform</c> directive (RFC 9111 §5.2).</summary>
    public static bool HasNoTransform(Microsoft.Extensions.Primitives.StringValues cacheControl) =>
        cacheControl.Count > 0
        && Microsoft.Net.Http.Headers.CacheControlHeaderValue.TryParse(cacheControl.ToString(), out var parsed)
        && parsed.NoTransform;

    /// <summary>HTML, XHTML, plain text, or a body without a type (which browsers sniff, usually as HTML).</summary>
    public static bool IsPageForPeople(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Which backend error bodies are replaced; see <see cref="ErrorPageDecision"/>.</summary>
public sealed record ErrorPagePolicy(bool Enabled, StatusSet Statuses, StatusSet PageStatuses)
{
    public static IReadOnlyList<string> DefaultStatuses => ReplaceErrorPagesDefinition.DefaultStatuses;

    public static IReadOnlyList<string> DefaultPageStatuses => ReplaceErrorPagesDefinition.DefaultPageStatuses;

    public static ErrorPagePolicy Default { get; } = new(true, StatusSet.Parse(DefaultStatuses), StatusSet.Parse(DefaultPageStatuses));

    public static ErrorPagePolicy Disabled { get; } = new(false, StatusSet.Empty, StatusSet.Empty);
}

/// <summary>A set of error statuses (400 to 599), given as single statuses (<c>404</c>) or classes (<c>5xx</c>).</summary>
public sealed class StatusSet
{
    private const int First = 400;
    private readonly bool[] _members = new bool[200];

    private StatusSet()
    {
    }

    public static StatusSet Empty { get; } = new();

    public bool Contains(int status) => status is >= First and < First + 200 && _members[status - First];

    /// <summary>Reads <c>404</c> or <c>4xx</c> / <c>5xx</c> (any case); null when the text is neither, or outside 400–599.</summary>
    public static (int Low, int High)? TryParsePattern(string? pattern)
    {
        var text = pattern.AsSpan().Trim();
        if (text.Length != 3 || text[0] is not ('4' or '5'))
        {
            return null;
        }

        var hundreds = (text[0] - '0') * 100;
        if ((text[1] is 'x' or 'X') && (text[2] is 'x' or 'X'))
        {
            return (hundreds, hundreds + 99);
        }

        return char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2]) ? (hundreds + ((text[1] - '0') * 10) + (text[2] - '0'), hundreds + ((text[1] - '0') * 10) + (text[2] - '0')) : null;
    }

    /// <summary>The union of the patterns; patterns that do not parse are ignored (the validator reports them).</summary>
    public static StatusSet Parse(IEnumerable<string> patterns)
    {
        var set = new StatusSet();
        foreach (var pattern in patterns)
        {
            if (TryParsePattern(pattern) is var (low, high))
            {
                for (var status = low; status <= high; status++)
                {
                    set._members[status - First] = true;
                }
            }
        }

        return set;
    }
}
