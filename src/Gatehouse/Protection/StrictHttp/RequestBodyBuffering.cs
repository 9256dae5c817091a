namespace Gatehouse.Protection;

/// <summary>How much of a request body is read before the request is forwarded.</summary>
public enum BodyBuffering
{
    /// <summary>Streamed as it arrives (no body, buffering off, or a stream by nature: an upgrade, gRPC).</summary>
    None,

    /// <summary>Read whole before forwarding: a framing error is answered 400 before a byte reaches the backend.</summary>
    Whole,

    /// <summary>
    /// Of unknown length: up to the buffer is read first; a body that ends within it is then whole, a longer one streams
    /// on after the buffered part.
    /// </summary>
    UpToLimit,
}

/// <summary>
/// Request body buffering (docs/protection.md, "Request bodies"): nginx's <c>proxy_request_buffering</c>, bounded. A
/// body is read into Gatehouse's own buffer before the request goes to the backend when it fits the route's
/// <c>requestBodyBufferBytes</c>, so a malformed chunk, a body shorter than its Content-Length, or a client that
/// never sends its body never reaches a backend at all. Pure decision.
/// </summary>
public static class RequestBodyBufferingDecision
{
    public static BodyBuffering Decide(long limit, bool hasBody, long? contentLength, string? contentType, bool isStream)
    {
        if (limit <= 0 || !hasBody || isStream || IsGrpc(contentType))
        {
            return BodyBuffering.None;
        }

        return contentLength switch
        {
            { } length when length <= limit => BodyBuffering.Whole,
            { } => BodyBuffering.None,
            null => BodyBuffering.UpToLimit,
        };
    }

    /// <summary>gRPC requests are message streams (client and bidirectional streaming): never held back.</summary>
    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
}
