using System.Collections.Frozen;
using Gatehouse.Http1;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Forwarding;

/// <summary>
/// The backend's fields straight into Kestrel's response headers (or trailers), as YARP's transformer copies them from
/// an HttpResponseMessage: hop-by-hop fields left out (YARP's list, RFC 9110 §7.6.1), each value added after any the
/// response already has, a Strict-Transport-Security Gatehouse already set kept instead of the backend's, and a
/// "Content-Length: 0" dropped from a response that has no body by its status (1xx, 204, 205).
/// </summary>
public static class DirectResponseFields
{
    private static readonly FrozenSet<string> HopByHop = new[]
    {
        HeaderNames.Connection, HeaderNames.TransferEncoding, HeaderNames.KeepAlive, HeaderNames.Upgrade, HeaderNames.ProxyConnection,
        HeaderNames.ProxyAuthenticate, "Proxy-Authentication-Info", HeaderNames.ProxyAuthorization, "Proxy-Features", "Proxy-Instruction",
        "Security-Scheme", "ALPN", "Close", "HTTP2-Settings", HeaderNames.UpgradeInsecureRequests, HeaderNames.TE, HeaderNames.AltSvc,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static void CopyHead(ResponseHead head, IHeaderDictionary destination)
    {
        Copy(head.Fields, destination);
        if (head.StatusCode is (>= 100 and < 200) or 204 or 205 && IsZeroContentLength(head.Fields))
        {
            destination.Remove(HeaderNames.ContentLength);
        }
    }

    /// <summary>Throws where Kestrel refuses a value (a character beyond ASCII), as the copy from the message does.</summary>
    public static void Copy(HeaderFields fields, IHeaderDictionary destination)
    {
        // YARP keeps a Strict-Transport-Security the response already has (set by Gatehouse's TLS step), all of the backend's otherwise.
        var keptStrictTransportSecurity = false;
        var copiedStrictTransportSecurity = false;
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields.Name(i);
            if (HopByHop.Contains(name))
            {
                continue;
            }

            var current = destination[name];
            if (name.Equals(HeaderNames.StrictTransportSecurity, StringComparison.OrdinalIgnoreCase))
            {
                keptStrictTransportSecurity |= !copiedStrictTransportSecurity && !StringValues.IsNullOrEmpty(current);
                if (keptStrictTransportSecurity)
                {
                    continue;
                }

                copiedStrictTransportSecurity = true;
            }

            destination[name] = StringValues.Concat(current, fields.Value(i));
        }
    }

    private static bool IsZeroContentLength(HeaderFields fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(fields.NameBytes(i), "Content-Length"u8))
            {
                return fields.ValueBytes(i).SequenceEqual("0"u8);
            }
        }

        return false;
    }
}
