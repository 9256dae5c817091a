using System.Net;
using Gatehouse.Http1;

namespace Gatehouse.Forwarding;

/// <summary>
/// The HttpResponseMessage the lean path hands to the route's transformer: the backend's status, version and fields as
/// HttpClient would have them (each field in Headers, or in the content's headers for Content-Type, Content-Length…),
/// with no body. Values are Latin-1, as HttpClient decodes them; Kestrel then refuses a non-ASCII value when the
/// transformer copies it, which makes such a response a 502 on both paths.
/// </summary>
internal static class LeanResponse
{
    public static HttpResponseMessage Shell(ResponseHead head, HttpRequestMessage request)
    {
        var response = new HttpResponseMessage((HttpStatusCode)head.StatusCode)
        {
            Version = head.MinorVersion == 0 ? HttpVersion.Version10 : HttpVersion.Version11,
            RequestMessage = request,
            Content = new HeaderShellContent(),
        };
        var fields = head.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields.Name(i);
            var value = fields.Value(i);
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    /// <summary>The chunked body's trailer fields, for the transformer's trailer step.</summary>
    public static void AddTrailers(HttpResponseMessage response, HeaderFields trailers)
    {
        for (var i = 0; i < trailers.Count; i++)
        {
            response.TrailingHeaders.TryAddWithoutValidation(trailers.Name(i), trailers.Value(i));
        }
    }

    /// <summary>The reason phrase to set on Kestrel's response: none when the backend sent the default one (or none).</summary>
    public static string? CustomReason(ResponseHead head)
    {
        if (head.ReasonBytes.IsEmpty)
        {
            return null;
        }

        var reason = head.Reason;
        return reason == Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(head.StatusCode) ? null : reason;
    }
}
