using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>
/// The request directives of RFC 9111 §5.2.1, plus <c>stale-if-error</c> (RFC 5861 §4). Request directives are
/// advisory (§5.2.1): an invalid value is ignored, and when a directive repeats the most restrictive value is used
/// (the rule §4.2.1 gives for conflicting directives).
/// </summary>
public sealed record RequestCacheControl
{
    /// <summary>No directives at all.</summary>
    public static RequestCacheControl None { get; } = new();

    /// <summary><c>max-age</c> (§5.2.1.1): the largest age the client accepts.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary><c>max-stale</c> (§5.2.1.2) is present, with or without a value.</summary>
    public bool MaxStale { get; init; }

    /// <summary>The value of <c>max-stale</c>; null with <see cref="MaxStale"/> means any staleness.</summary>
    public TimeSpan? MaxStaleLimit { get; init; }

    /// <summary><c>min-fresh</c> (§5.2.1.3): the response must stay fresh at least this long.</summary>
    public TimeSpan? MinFresh { get; init; }

    /// <summary><c>no-cache</c> (§5.2.1.4), or <c>Pragma: no-cache</c> without Cache-Control (§5.4).</summary>
    public bool NoCache { get; init; }

    /// <summary><c>no-store</c> (§5.2.1.5): store nothing of this request or its response.</summary>
    public bool NoStore { get; init; }

    /// <summary><c>no-transform</c> (§5.2.1.6).</summary>
    public bool NoTransform { get; init; }

    /// <summary><c>only-if-cached</c> (§5.2.1.7): answer from the cache or with 504.</summary>
    public bool OnlyIfCached { get; init; }

    /// <summary><c>stale-if-error</c> (RFC 5861 §4): staleness the client accepts when the origin fails.</summary>
    public TimeSpan? StaleIfError { get; init; }

    /// <summary>Reads Cache-Control and Pragma from request headers.</summary>
    public static RequestCacheControl FromRequest(IHeaderDictionary requestHeaders) =>
        Parse(requestHeaders[HeaderNames.CacheControl], requestHeaders[HeaderNames.Pragma]);

    /// <summary>
    /// Parses request Cache-Control field lines. <c>Pragma: no-cache</c> counts as <c>no-cache</c> only when the
    /// request has no Cache-Control field at all (RFC 9111 §5.4 deprecates Pragma; RFC 7234 §5.4 gave this rule).
    /// </summary>
    public static RequestCacheControl Parse(StringValues cacheControl, StringValues pragma = default)
    {
        if (cacheControl.Count == 0)
        {
            if (pragma.Count == 0)
            {
                return None; // the usual request: nothing to parse, nothing to allocate
            }
            var pragmaNoCache = FieldList.Members(pragma).Exists(m => m.Equals("no-cache", StringComparison.OrdinalIgnoreCase));
            return pragmaNoCache ? new RequestCacheControl { NoCache = true } : None;
        }

        TimeSpan? maxAge = null, minFresh = null, maxStaleLimit = null, staleIfError = null;
        bool maxStale = false, noCache = false, noStore = false, noTransform = false, onlyIfCached = false;
        foreach (var directive in CacheDirective.ParseAll(cacheControl))
        {
            if (directive.Is("max-age"))
            {
                maxAge = Smallest(maxAge, directive);
            }
            else if (directive.Is("min-fresh"))
            {
                if (TryDelta(directive, out var value) && (minFresh is null || value > minFresh))
                {
                    minFresh = value;
                }
            }
            else if (directive.Is("max-stale"))
            {
                if (directive.Argument is null && !directive.IsMalformed)
                {
                    maxStale = true; // without a value: any staleness, unless another max-stale sets a limit
                }
                else if (TryDelta(directive, out _))
                {
                    maxStale = true;
                    maxStaleLimit = Smallest(maxStaleLimit, directive);
                }
            }
            else if (directive.Is("stale-if-error"))
            {
                staleIfError = Smallest(staleIfError, directive);
            }
            else if (directive.Is("no-cache"))
            {
                noCache = true;
            }
            else if (directive.Is("no-store"))
            {
                noStore = true;
            }
            else if (directive.Is("no-transform"))
            {
                noTransform = true;
            }
            else if (directive.Is("only-if-cached"))
            {
                onlyIfCached = true;
            }
            // §5.2.3: unrecognised directives are ignored.
        }

        return new RequestCacheControl
        {
            MaxAge = maxAge,
            MaxStale = maxStale,
            MaxStaleLimit = maxStaleLimit,
            MinFresh = minFresh,
            NoCache = noCache,
            NoStore = noStore,
            NoTransform = noTransform,
            OnlyIfCached = onlyIfCached,
            StaleIfError = staleIfError,
        };
    }

    private static TimeSpan? Smallest(TimeSpan? current, CacheDirective directive) =>
        TryDelta(directive, out var value) && (current is null || value < current) ? value : current;

    private static bool TryDelta(CacheDirective directive, out TimeSpan value)
    {
        value = default;
        return directive.Argument is not null && DeltaSeconds.TryParse(directive.Argument, out value);
    }
}
