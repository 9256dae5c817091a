using System.Collections.Frozen;
using Gatehouse.Configuration;
using Gatehouse.Http;

namespace Gatehouse.Protection;

/// <summary>
/// <see cref="HideBackendDefinition"/> resolved once per config, so that the response path does look-ups only: the
/// header list frozen, the error-page policy of each route with an override, the destination origins of each cluster.
/// </summary>
public sealed class HideBackendSettings
{
    public static HideBackendSettings Default { get; } = From(new GatehouseConfig());

    public required IdentityHeaders Headers { get; init; }

    public required bool RewriteLocations { get; init; }

    public required bool RewriteCookieDomains { get; init; }

    public required ErrorPagePolicy ErrorPages { get; init; }

    /// <summary>Routes whose policy differs from <see cref="ErrorPages"/>; most configs have none.</summary>
    public required FrozenDictionary<string, ErrorPagePolicy> RouteErrorPages { get; init; }

    public required FrozenDictionary<string, BackendOrigins> ClusterOrigins { get; init; }

    public ViaHeader? Via { get; init; }

    public ErrorPagePolicy ErrorPagesFor(string? routeId) =>
        RouteErrorPages.Count > 0 && routeId is not null && RouteErrorPages.TryGetValue(routeId, out var policy) ? policy : ErrorPages;

    public BackendOrigins OriginsOf(string? clusterId) =>
        clusterId is not null && ClusterOrigins.TryGetValue(clusterId, out var origins) ? origins : BackendOrigins.Empty;

    public static HideBackendSettings From(GatehouseConfig config)
    {
        var hide = config.HideBackend;
        var errorPages = Policy(hide.ReplaceErrorPages.Enabled, hide.ReplaceErrorPages.Statuses, hide.ReplaceErrorPages.PageStatuses);
        var routes = new Dictionary<string, ErrorPagePolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, route) in config.Routes)
        {
            if (route?.HideBackend?.ReplaceErrorPages is { } own)
            {
                routes[id] = Policy(
                    own.Enabled ?? hide.ReplaceErrorPages.Enabled,
                    own.Statuses ?? hide.ReplaceErrorPages.Statuses,
                    own.PageStatuses ?? hide.ReplaceErrorPages.PageStatuses);
            }
        }

        return new HideBackendSettings
        {
            Headers = IdentityHeaders.Create(hide.RemoveHeaders, hide.KeepHeaders),
            RewriteLocations = hide.RewriteLocations,
            RewriteCookieDomains = hide.RewriteCookieDomains,
            ErrorPages = errorPages,
            RouteErrorPages = routes.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            ClusterOrigins = config.Clusters.ToFrozenDictionary(
                c => c.Key,
                c => BackendOrigins.From(c.Value?.Destinations.Values.Select(d => d?.Address) ?? []),
                StringComparer.OrdinalIgnoreCase),
            Via = string.IsNullOrEmpty(hide.Via) ? null : new ViaHeader(hide.Via),
        };
    }

    private static ErrorPagePolicy Policy(bool enabled, IReadOnlyList<StatusPattern> statuses, IReadOnlyList<StatusPattern> pageStatuses) =>
        enabled ? new ErrorPagePolicy(true, StatusSet.Parse(StatusPattern.Raws(statuses)), StatusSet.Parse(StatusPattern.Raws(pageStatuses))) : ErrorPagePolicy.Disabled;
}
