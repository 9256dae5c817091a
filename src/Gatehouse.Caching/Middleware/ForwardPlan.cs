using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Middleware;

/// <summary>Why and how a request goes to the origin.</summary>
/// <param name="Reason">The <c>fwd</c> of Cache-Status.</param>
internal sealed record ForwardPlan(CacheForwardReason Reason)
{
    /// <summary>The collapsed forward this request leads: its waiters are released as soon as the outcome is known.</summary>
    public CollapsedForward? Leading { get; init; }

    /// <summary>
    /// The stored response this forward validates: a 304 or an origin error that may be hidden by serving it stale is
    /// then not passed to the client but left to the caller.
    /// </summary>
    public CachedResponse? Validating { get; init; }

    /// <summary>The <c>collapsed</c> of Cache-Status: false when the request waited for a collapsed forward in vain.</summary>
    public bool? Collapsed { get; init; }
}

/// <summary>How a forward ended.</summary>
internal enum ForwardEnd
{
    /// <summary>The response went (or is going) to the client, stored if it could be.</summary>
    PassedOn,

    /// <summary>A 304 to the validation: nothing was sent; the caller freshens and serves the stored response.</summary>
    NotModified,

    /// <summary>An origin error (RFC 5861 §4) that the validated response may hide: nothing was sent.</summary>
    OriginError,

    /// <summary>The pipeline threw before anything was sent (the origin is unreachable).</summary>
    Failed,
}

/// <summary>The outcome of <see cref="OriginForwarding.RunAsync"/>.</summary>
internal sealed class ForwardResult
{
    public ForwardEnd End { get; set; }

    public int StatusCode { get; set; }

    /// <summary>The response's header fields as received (before the cache touched them); empty when it failed.</summary>
    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    public Exception? Error { get; set; }

    /// <summary><c>request_time</c>: when the request went forward.</summary>
    public DateTimeOffset RequestTime { get; init; }

    /// <summary><c>response_time</c>: when the response head arrived.</summary>
    public DateTimeOffset ResponseTime { get; set; }

    /// <summary>Whether the response was stored (or, for a 304, left to the caller).</summary>
    public bool Stored { get; set; }
}
