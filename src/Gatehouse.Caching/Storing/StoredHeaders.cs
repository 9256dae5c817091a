using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>The header fields a shared cache keeps (RFC 9111 §3.1) and how newer responses update them (§3.2).</summary>
public static class StoredHeaders
{
    // RFC 9110 §7.6.1 connection-specific fields, plus the proxy-specific fields RFC 9111 §3.1 forbids storing.
    // Trailer is dropped too: trailers are not stored (§3.1 lets a cache discard them), so announcing one would lie.
    private static readonly HashSet<string> NeverStored = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyConnection, HeaderNames.TE,
        HeaderNames.TransferEncoding, HeaderNames.Upgrade, HeaderNames.Trailer,
        HeaderNames.ProxyAuthenticate, "Proxy-Authentication-Info", HeaderNames.ProxyAuthorization,
    };

    /// <summary>
    /// The fields of a response to store: all of them (§3.1 MUST, including unknown ones) except the connection-specific
    /// fields and those named in Connection, the proxy-specific fields, and the fields named by <c>no-cache="…"</c>
    /// (which must not be sent without revalidation) and <c>private="…"</c> (which a shared cache MUST NOT store).
    /// </summary>
    public static IHeaderDictionary Select(IHeaderDictionary responseHeaders, ResponseCacheControl response)
    {
        var excluded = ExcludedFields(responseHeaders, response);
        var stored = new HeaderDictionary();
        foreach (var (name, value) in responseHeaders)
        {
            if (!excluded.Contains(name))
            {
                stored[name] = value;
            }
        }
        return stored;
    }

    /// <summary>
    /// Updates stored fields with those of a newer response — a 304 (§4.3.4) or a HEAD response (§4.3.5) — per
    /// §3.2: every field of the newer response replaces the stored one, except the fields excepted from storage
    /// (§3.1), Content-Length (MUST), Content-Range (processed by the recipient, MAY) and Vary (the stored response
    /// depends on it: its variant was chosen by it). Date and Age describe the message that carries them, so they
    /// always come from the newer response, or go when it has none; otherwise an old Date or Age would age the
    /// freshly validated response. The result is filtered again with the merged directives.
    /// </summary>
    public static IHeaderDictionary Update(IHeaderDictionary stored, IHeaderDictionary newer, IReadOnlyList<string> targetedFieldNames)
    {
        var excluded = ExcludedFields(newer, ResponseCacheControl.None);
        // Set-Cookie too: a 304's cookie is for the client that asked, and a stored response holds none (Storability).
        excluded.UnionWith([HeaderNames.ContentLength, HeaderNames.ContentRange, HeaderNames.Vary, HeaderNames.SetCookie]);

        var merged = new HeaderDictionary();
        foreach (var (name, value) in stored)
        {
            merged[name] = value;
        }
        merged.Remove(HeaderNames.Date);
        merged.Remove(HeaderNames.Age);
        foreach (var (name, value) in newer)
        {
            if (!excluded.Contains(name))
            {
                merged[name] = value;
            }
        }
        return Select(merged, ResponseCacheControl.FromResponse(merged, targetedFieldNames));
    }

    private static HashSet<string> ExcludedFields(IHeaderDictionary headers, ResponseCacheControl response)
    {
        var excluded = new HashSet<string>(NeverStored, StringComparer.OrdinalIgnoreCase);
        excluded.UnionWith(FieldList.Members(headers[HeaderNames.Connection]));
        excluded.UnionWith(response.NoCacheFields);
        excluded.UnionWith(response.PrivateFields);
        return excluded;
    }
}
