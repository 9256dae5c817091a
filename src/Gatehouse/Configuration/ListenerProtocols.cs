namespace Gatehouse.Configuration;

/// <summary>
/// The values of a plain listener's <c>protocols</c> setting. There is no "both": without TLS there is no ALPN to tell
/// them apart, and Kestrel serves a cleartext endpoint that allows both as HTTP/1.1 only (it says so at start-up).
/// One port per protocol, as nginx's <c>listen … http2</c> on a plain port does too.
/// </summary>
public static class ListenerProtocols
{
    /// <summary>HTTP/1.x (the default).</summary>
    public const string Http1 = "h1";

    /// <summary>HTTP/2 with prior knowledge only (h2c, RFC 9113 §3.3): gRPC clients, nghttp, curl --http2-prior-knowledge.</summary>
    public const string Http2 = "h2";

    public static bool IsKnown(string value) => value is Http1 or Http2;
}
