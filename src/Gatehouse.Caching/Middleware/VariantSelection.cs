using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>Picks the stored variant that may answer a request (RFC 9111 §4, §4.1).</summary>
internal static class VariantSelection
{
    /// <summary>
    /// The variant whose Vary-nominated request fields match the request's (§4.1 MUST NOT otherwise); when several do —
    /// responses stored under different Vary fields — the most recent, by Date, else time of receipt (§4 MUST, §4.1
    /// SHOULD). Null when none matches.
    /// </summary>
    public static CachedResponse? Select(IReadOnlyList<CachedResponse> variants, IHeaderDictionary requestHeaders)
    {
        CachedResponse? best = null;
        // By index: a foreach over the interface would allocate an enumerator on every lookup.
        for (var i = 0; i < variants.Count; i++)
        {
            var variant = variants[i];
            if (!VaryKey.TryCompute(variant.Headers.GetValueOrDefault(HeaderNames.Vary), requestHeaders, out var key) || key != variant.VaryKey)
            {
                continue;
            }
            if (best is null || Recency(variant) > Recency(best))
            {
                best = variant;
            }
        }
        return best;
    }

    private static DateTimeOffset Recency(CachedResponse response) =>
        HttpDate.DateOr(response.Headers.GetValueOrDefault(HeaderNames.Date), response.Freshness.ResponseTime);
}
