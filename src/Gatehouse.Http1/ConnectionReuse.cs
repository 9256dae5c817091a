namespace Gatehouse.Http1;

/// <summary>Whether a connection that carried one exchange may carry the next.</summary>
public static class ConnectionReuse
{
    /// <summary>
    /// Only when the head allows it (<see cref="ResponseHead.KeepAlive"/>), the body was read to its declared end, and
    /// not one byte follows that end: with no request outstanding, a byte after the end is either a broken backend or
    /// a response smuggled ahead of the next request, and reading it as the next response would answer the next
    /// client with it. An exchange that failed (Invalid, timeout, cancellation) never gets here with true.
    /// </summary>
    public static bool MayReuse(ResponseHead head, bool bodyReadToEnd, long bytesAfterEnd) =>
        head.KeepAlive && bodyReadToEnd && bytesAfterEnd == 0;
}
