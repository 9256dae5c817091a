namespace Gatehouse.Upstream;

/// <summary>Why an exchange with a backend failed. Every kind leaves the connection closed; the caller answers 502 (or 503/504).</summary>
public enum UpstreamFailure
{
    /// <summary>No connection could be made (refused, unreachable, connect timeout).</summary>
    ConnectFailed,

    /// <summary>Gatehouse refused to send the request (a value with CR, LF or NUL…); nothing reached the backend.</summary>
    RequestRefused,

    /// <summary>Sending the request failed, or its body ended before its declared length.</summary>
    SendFailed,

    /// <summary>The backend closed the connection before a complete response head.</summary>
    ClosedBeforeResponse,

    /// <summary>The response head or the body's framing broke a rule of the strict parser.</summary>
    InvalidResponse,

    /// <summary>A valid response this client does not handle: a 101, or too many 1xx.</summary>
    UnsupportedResponse,

    /// <summary>The backend closed, or the connection failed, before the end of a delimited body.</summary>
    BodyTruncated,
}
