using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Compression;

/// <summary>Adds Accept-Encoding to a response's Vary (RFC 9110 §12.5.5), once, keeping what the backend listed.</summary>
public static class VaryField
{
    public static void AddAcceptEncoding(IHeaderDictionary headers)
    {
        var vary = headers.Vary;
        foreach (var value in vary)
        {
            if (value is null)
            {
                continue;
            }
            foreach (var range in value.AsSpan().Split(','))
            {
                var member = value.AsSpan()[range].Trim(" \t");
                // "*" already says the response varies on everything (§12.5.5).
                if (member.Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase) || member.SequenceEqual("*"))
                {
                    return;
                }
            }
        }
        headers.Vary = vary.Count == 0 || (vary.Count == 1 && string.IsNullOrWhiteSpace(vary[0]))
            ? HeaderNames.AcceptEncoding
            : string.Join(", ", vary.Where(v => !string.IsNullOrWhiteSpace(v)).Append(HeaderNames.AcceptEncoding));
    }
}
