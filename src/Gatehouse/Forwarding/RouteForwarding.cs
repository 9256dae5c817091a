using Gatehouse.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>A route's forwarding settings: its timeout, and whether and how far unsafe methods may be retried.</summary>
public sealed record RouteForwarding(TimeSpan? Timeout, bool RetryUnsafeMethods, long MaxBufferedBodyBytes)
{
    public static RouteForwarding From(RouteDefinition route) =>
        new(route.Timeout?.Value, route.Retry.AllowUnsafeMethods, route.Retry.MaxBufferedBodyBytes);
}
