using System.Net;
using Gatehouse.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>
/// The HTTP version a cluster's requests ask for, and how strictly. Over plain <c>http://</c>, HttpClient speaks HTTP/2
/// only when told to with prior knowledge (version 2, policy exact): that is h2c, what gRPC services behind a
/// TLS-terminating proxy expect. An <c>h2c://</c> destination address says so in the address itself; YARP gets it as
/// <c>http://</c> with version 2.0 exact. Pure.
/// </summary>
public static class UpstreamHttpVersion
{
    public const string H2cScheme = "h2c";

    public const string OrLower = "orLower";
    public const string Exact = "exact";
    public const string OrHigher = "orHigher";

    public static bool IsKnownPolicy(string policy) => policy is OrLower or Exact or OrHigher;

    /// <summary>An absolute <c>h2c://host[:port]</c> address.</summary>
    public static bool IsH2c(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == H2cScheme && !string.IsNullOrEmpty(uri.Host);

    /// <summary>The address HttpClient takes: <c>h2c://</c> becomes <c>http://</c>, the rest stays (port 80 is h2c's default too).</summary>
    public static string? ForHttpClient(string? address) =>
        address is not null && address.StartsWith(H2cScheme + "://", StringComparison.OrdinalIgnoreCase) ? "http" + address[H2cScheme.Length..] : address;

    /// <summary>A cluster is h2c when its destinations are <c>h2c://</c> (the validator keeps a cluster from mixing them).</summary>
    public static bool IsH2cCluster(ClusterDefinition cluster) =>
        cluster.Destinations.Count > 0 && cluster.Destinations.Values.All(d => IsH2c(d?.Address));

    /// <summary>The version and policy for a cluster: h2c destinations ask for 2.0 exact, otherwise the httpRequest section says.</summary>
    public static (Version Version, HttpVersionPolicy Policy) Of(ClusterDefinition cluster)
    {
        if (IsH2cCluster(cluster))
        {
            return (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact);
        }

        var text = cluster.HttpRequest.Version;
        var version = Version.Parse(text.Contains('.', StringComparison.Ordinal) ? text : text + ".0");
        var policy = cluster.HttpRequest.VersionPolicy switch
        {
            Exact => HttpVersionPolicy.RequestVersionExact,
            OrHigher => HttpVersionPolicy.RequestVersionOrHigher,
            _ => HttpVersionPolicy.RequestVersionOrLower,
        };
        return (version, policy);
    }

    /// <summary>Whether the cluster's requests can go out as HTTP/2 (gRPC needs it): h2c, or version 2+ over TLS or exact.</summary>
    public static bool CarriesHttp2(ClusterDefinition cluster)
    {
        var (version, policy) = Of(cluster);
        if (version.Major < 2)
        {
            return policy == HttpVersionPolicy.RequestVersionOrHigher
                && cluster.Destinations.Values.All(d => d?.Address?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true);
        }

        return policy != HttpVersionPolicy.RequestVersionOrLower
            || cluster.Destinations.Values.All(d => d?.Address?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true);
    }
}
