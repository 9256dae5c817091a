using System.Globalization;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Health;
using Gatehouse.LoadBalancing;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.SessionAffinity;

namespace Gatehouse.Lifecycle;

/// <summary>Turns a validated Gatehouse config into YARP's routes and clusters. Pure: no I/O.</summary>
public static class YarpConfigMapper
{
    /// <summary>Cluster metadata read by <see cref="Gatehouse.Forwarding.GatehouseHttpClientFactory"/>.</summary>
    public const string ConnectTimeoutMetadata = "Gatehouse.ConnectTimeout";
    public const string PooledConnectionIdleTimeoutMetadata = "Gatehouse.PooledConnectionIdleTimeout";

    /// <summary>Route metadata read by <see cref="Gatehouse.Protection.RawPathTransform"/>: "true" on a forwardRawPath route.</summary>
    public const string ForwardRawPathMetadata = Protection.RawPathTransform.ForwardRawPathMetadata;

    /// <summary>Route metadata: "true" on a route that takes gRPC-Web (its endpoint then carries EnableGrpcWebAttribute).</summary>
    public const string GrpcWebMetadata = Forwarding.GrpcWeb.RouteMetadata;

    /// <summary>The catch-all segment a pathPrefix route gets; chosen so it won't clash with a user's own names.</summary>
    public const string PrefixCatchAll = "gatehouse_rest";

    /// <summary>
    /// The routes and clusters of <paramref name="config"/>. With a <paramref name="revision"/>, each route names it in its
    /// metadata, so its endpoint is rebuilt on every reload and carries that generation's settings.
    /// </summary>
    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Map(GatehouseConfig config, int? revision = null) =>
        (config.Routes.Select(r => MapRoute(r.Key, r.Value, revision)).ToList(), config.Clusters.Select(c => MapCluster(c.Key, c.Value)).ToList());

    public static RouteConfig MapRoute(string id, RouteDefinition route, int? revision = null)
    {
        var match = route.Match;
        return new RouteConfig
        {
            RouteId = id,
            ClusterId = route.ClusterId,
            Order = route.Order,
            Match = new RouteMatch
            {
                Hosts = match.Hosts,
                Path = match.Path ?? PrefixTemplate(match.PathPrefix),
                Methods = match.Methods,
                Headers = match.Headers?.Select(h => new RouteHeader
                {
                    Name = h.Name!,
                    Values = h.Values,
                    Mode = Enum.Parse<HeaderMatchMode>(h.Mode, ignoreCase: true),
                    IsCaseSensitive = h.IsCaseSensitive,
                }).ToList(),
            },
            // YARP matches transform keys case-insensitively when it reads IConfiguration; do the same for JSON.
            Transforms = route.Transforms?.Select(t => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(t, StringComparer.OrdinalIgnoreCase)).ToList(),
            // The generation (so each reload rebuilds the route's endpoint with its own settings), and forwardRawPath in the
            // route's config (not only Gatehouse's settings), so that turning it on or off rebuilds the route's transforms.
            Metadata = Metadata(revision, route.ForwardRawPath, route.GrpcWeb),
        };
    }

    private static Dictionary<string, string>? Metadata(int? revision, bool forwardRawPath, bool grpcWeb)
    {
        if (revision is null && !forwardRawPath && !grpcWeb)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>();
        if (revision is { } r)
        {
            metadata[GenerationHolder.GenerationMetadata] = r.ToString(CultureInfo.InvariantCulture);
        }

        if (forwardRawPath)
        {
            metadata[ForwardRawPathMetadata] = "true";
        }

        if (grpcWeb)
        {
            metadata[GrpcWebMetadata] = "true";
        }

        return metadata;
    }

    internal static string? PrefixTemplate(string? prefix) =>
        prefix is null ? null : $"{prefix.TrimEnd('/')}/{{**{PrefixCatchAll}}}";

    public static ClusterConfig MapCluster(string id, ClusterDefinition cluster)
    {
        var health = cluster.HealthCheck;
        var client = cluster.HttpClient;
        var (version, versionPolicy) = UpstreamHttpVersion.Of(cluster);
        return new ClusterConfig
        {
            ClusterId = id,
            LoadBalancingPolicy = LoadBalancingPolicyNames.Canonical(cluster.LoadBalancingPolicy),
            SessionAffinity = cluster.SessionAffinity.Enabled
                ? new SessionAffinityConfig
                {
                    Enabled = true,
                    Policy = CookieAffinityPolicy.PolicyName,
                    FailurePolicy = SessionAffinityConstants.FailurePolicies.Redistribute,
                    AffinityKeyName = cluster.SessionAffinity.CookieName,
                    Cookie = new SessionAffinityCookieConfig { HttpOnly = true, IsEssential = true, SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax },
                }
                : null,
            Destinations = cluster.Destinations.ToDictionary(
                d => d.Key,
                d => new DestinationConfig { Address = UpstreamHttpVersion.ForHttpClient(d.Value.Address)!, Health = UpstreamHttpVersion.ForHttpClient(d.Value.Health), Metadata = DnsMetadata(cluster, d.Value) },
                StringComparer.OrdinalIgnoreCase),
            HealthCheck = new HealthCheckConfig
            {
                AvailableDestinationsPolicy = health.WhenAllUnhealthy == AllUnhealthyModes.Panic
                    ? HealthCheckConstants.AvailableDestinations.HealthyOrPanic
                    : HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
                Active = health.Active.Enabled
                    ? new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = health.Active.Interval.Value,
                        Timeout = health.Active.Timeout.Value,
                        Path = health.Active.Path,
                        Policy = ThresholdActiveHealthPolicy.PolicyName,
                    }
                    : null,
                Passive = health.Passive.Enabled
                    ? new PassiveHealthCheckConfig
                    {
                        Enabled = true,
                        Policy = ConsecutiveFailuresPassivePolicy.PolicyName,
                        ReactivationPeriod = health.Passive.ReactivationPeriod.Value,
                    }
                    : null,
            },
            HttpClient = new HttpClientConfig
            {
                MaxConnectionsPerServer = client.MaxConnectionsPerServer,
                DangerousAcceptAnyServerCertificate = client.DangerousAcceptAnyServerCertificate,
                EnableMultipleHttp2Connections = client.EnableMultipleHttp2Connections,
            },
            HttpRequest = new ForwarderRequestConfig
            {
                ActivityTimeout = cluster.HttpRequest.ActivityTimeout.Value,
                Version = version,
                VersionPolicy = versionPolicy,
            },
            Metadata = ProxyProtocolSending.AddMetadata(new Dictionary<string, string>(Gatehouse.Tls.UpstreamTls.Metadata(client.Tls))
            {
                [ConnectTimeoutMetadata] = Milliseconds(client.ConnectTimeout),
                [PooledConnectionIdleTimeoutMetadata] = Milliseconds(client.PooledConnectionIdleTimeout),
            }, cluster),
        };
    }

    /// <summary>
    /// A destination of a cluster with <c>dns.resolve</c> carries its DNS settings and weight to the destination resolver
    /// (Discovery), which YARP hands the destinations alone; other destinations carry nothing.
    /// </summary>
    private static Dictionary<string, string>? DnsMetadata(ClusterDefinition cluster, DestinationDefinition destination) =>
        Gatehouse.Discovery.DnsDestinationSettings.From(cluster.Dns) is { } dns
            ? new Dictionary<string, string>(dns.ToMetadata())
            {
                [DestinationMetadata.Weight] = destination.Weight.ToString(CultureInfo.InvariantCulture),
            }
            : null;

    private static string Milliseconds(Duration duration) =>
        ((long)(duration.Value ?? TimeSpan.Zero).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
