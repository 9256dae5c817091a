namespace Gatehouse.Protection;

/// <summary>
/// Protection's IP lists and rate-limit policies as one validation parsed them (<see cref="IpNetworkList.Parse"/>,
/// <see cref="RateLimitPolicy.Parse"/>), errors reported on the way. <see cref="ProtectionSettings"/> is built from
/// these objects, so no list or policy of a config is parsed twice.
/// </summary>
public sealed record ParsedProtection(
    IpNetworkList TrustedProxies,
    IpNetworkList Allow,
    IpNetworkList Deny,
    IReadOnlyDictionary<string, RateLimitPolicy> RateLimits,
    IReadOnlyDictionary<string, RouteIpLists> Routes)
{
    public static ParsedProtection Empty { get; } = new(IpNetworkList.Empty, IpNetworkList.Empty, IpNetworkList.Empty,
        new Dictionary<string, RateLimitPolicy>(), new Dictionary<string, RouteIpLists>());
}

/// <summary>A route's own <c>accessControl.allow</c> and <c>deny</c>, parsed.</summary>
public sealed record RouteIpLists(IpNetworkList Allow, IpNetworkList Deny)
{
    public static RouteIpLists Empty { get; } = new(IpNetworkList.Empty, IpNetworkList.Empty);
}
