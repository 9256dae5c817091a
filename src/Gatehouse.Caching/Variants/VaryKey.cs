using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>
/// The secondary cache key of RFC 9111 §4.1: the request fields a stored response's Vary nominates, normalised so
/// that requests that only differ in ways §4.1 allows to ignore produce the same key.
/// </summary>
/// <remarks>
/// Field names are compared without case, deduplicated and sorted; each nominated field's value is normalised by
/// <see cref="VaryFieldValue.Normalise"/> (per field: weighted lists such as Accept-Encoding and Accept-Language in a
/// canonical spelling; any other field only trimmed, its lines combined). A field absent from the request differs from
/// a field present with an empty value (§4.1).
/// </remarks>
public static class VaryKey
{
    /// <summary>
    /// Computes the key of <paramref name="requestHeaders"/> under a response's Vary field. False for <c>Vary: *</c>,
    /// which never matches (§4.1). A response without Vary has the empty key. Store the key computed from the request
    /// that brought the response, and reuse the response for a request only when its key is equal (§4.1 MUST NOT).
    /// </summary>
    public static bool TryCompute(StringValues vary, IHeaderDictionary requestHeaders, out string key)
    {
        key = "";
        if (vary.Count == 0)
        {
            return true; // no Vary: the empty key, without the work below on every lookup
        }
        var members = FieldList.Members(vary);
        if (members.Contains("*"))
        {
            return false;
        }
        var names = members
            .Select(name => name.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (var name in names)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }
            builder.Append(name);
            if (requestHeaders.TryGetValue(name, out var value))
            {
                builder.Append('=').Append(VaryFieldValue.Normalise(name, value));
            }
        }
        key = builder.ToString();
        return true;
    }

    /// <summary>Whether Vary lists "*".</summary>
    public static bool VariesOnEverything(StringValues vary) => FieldList.Members(vary).Contains("*");
}
