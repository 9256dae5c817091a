using Gatehouse.Http1;

namespace Gatehouse.Upstream;

/// <summary>How Gatehouse's own HTTP/1.1 client talks to one destination.</summary>
public sealed record UpstreamOptions
{
    /// <summary>An idle connection older than this is closed, not reused (the backend may be about to close it).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>1xx responses accepted before the final one; a backend that sends endless 103s must not hold a request.</summary>
    public int MaxInterimResponses { get; init; } = 8;

    /// <summary>
    /// Idle connections kept per destination; more are closed when returned. Unbounded by default, as HttpClient's
    /// pool: idle connections are bounded by the requests that were in flight at once and close after
    /// <see cref="IdleTimeout"/>. A cap below the concurrency closes and reopens backend connections on every burst
    /// (at 1,000 client connections a cap of 256 cost 10-14 KB of allocation and ~50 µs of CPU per request).
    /// </summary>
    public int MaxIdleConnections { get; init; } = int.MaxValue;

    public Http1Limits Limits { get; init; } = Http1Limits.Default;
}
