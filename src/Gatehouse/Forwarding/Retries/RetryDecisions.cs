using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>Pure rules for when a failed attempt may be sent again.</summary>
public static class RetryDecisions
{
    /// <summary>RFC 9110 §9.2.2: methods whose repetition has the same effect as one request.</summary>
    public static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ||
        HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    /// <summary>
    /// Transport failures before any response byte: the connect failed, the connection was reset before the status line
    /// (also while the backend was still taking the request body: nginx's <c>proxy_next_upstream error</c> covers "passing
    /// a request to it"; whether the body can be sent again is <see cref="MayReplay"/>'s question), or the backend went
    /// silent past the activity timeout. Errors after the response started are never retried.
    /// </summary>
    public static bool IsRetryableError(ForwarderError error) =>
        error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.RequestBodyDestination;

    /// <summary>Whether the request's method and body allow another attempt at all.</summary>
    public static bool MayReplay(string method, bool hasBody, bool bodyBuffered, bool routeAllowsUnsafe) =>
        (IsIdempotent(method) || routeAllowsUnsafe) && (!hasBody || bodyBuffered);
}
