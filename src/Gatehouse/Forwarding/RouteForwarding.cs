using Gatehouse.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>A route's forwarding settings: its timeout, and whether and how far unsafe methods may be retried.</summary>
public sealed record RouteForwarding(TimeSpan? Timeout, bool RetryUnsafeMethods, long MaxBufferedBodyBytes)
{
    /// <summary>
    /// The one parse of a route's forwarding settings (<paramref name="path"/> is <c>routes.ID</c>): its errors and the
    /// settings the generation installs. Unknown settings are the validator's.
    /// </summary>
    public static RouteForwarding Parse(RouteDefinition route, string path, ICollection<ConfigError> errors)
    {
        if (route.Timeout is { } timeout)
        {
            SettingRules.PositiveDuration(errors, $"{path}.timeout", timeout);
        }

        if (route.Retry.MaxBufferedBodyBytes < 0)
        {
            errors.Add(new($"{path}.retry.maxBufferedBodyBytes", "must not be negative"));
        }

        return new(route.Timeout?.Value, route.Retry.AllowUnsafeMethods, route.Retry.MaxBufferedBodyBytes);
    }

    /// <summary>The settings of a route known to be valid (tests); what <see cref="Parse"/> would report is dropped.</summary>
    public static RouteForwarding From(RouteDefinition route) => Parse(route, "", new List<ConfigError>());
}
