using Gatehouse.Configuration;
using Gatehouse.Forwarding;

namespace Gatehouse.Lifecycle;

/// <summary>HTTP/2 without TLS and gRPC (docs/grpc.md): listener protocols, h2c clusters, gRPC-Web routes, gRPC health probes.</summary>
public static partial class ConfigValidator
{
    private static void ValidateGrpc(List<ConfigError> errors, GatehouseConfig config)
    {
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            if (config.Listeners[i] is not { Protocols: { } protocols } listener)
            {
                continue;
            }

            if (!ListenerProtocols.IsKnown(protocols))
            {
                errors.Add(new($"listeners[{i}].protocols", $"'{protocols}' is not h1 or h2 (a plain port cannot offer both: without TLS there is no ALPN to choose; use two listeners)"));
            }
            else if (listener.Tls is not null)
            {
                errors.Add(new($"listeners[{i}].protocols", "only for plain listeners; an HTTPS listener offers HTTP/2 by ALPN (tls.http2)"));
            }
        }

        foreach (var (id, cluster) in config.Clusters)
        {
            if (cluster is null)
            {
                continue;
            }

            var path = $"clusters.{id}";
            var h2c = cluster.Destinations.Where(d => UpstreamHttpVersion.IsH2c(d.Value?.Address)).Select(d => d.Key).ToList();
            if (h2c.Count > 0 && h2c.Count < cluster.Destinations.Count)
            {
                var other = cluster.Destinations.Keys.First(k => !h2c.Contains(k));
                errors.Add(new($"{path}.destinations.{other}.address", "a cluster's destinations are all h2c:// or none: it has one HTTP version (httpRequest)"));
            }

            if (cluster.HttpRequest.VersionPolicy is { } policy && !UpstreamHttpVersion.IsKnownPolicy(policy))
            {
                errors.Add(new($"{path}.httpRequest.versionPolicy", $"'{policy}' is not one of {UpstreamHttpVersion.OrLower}, {UpstreamHttpVersion.Exact}, {UpstreamHttpVersion.OrHigher}"));
            }

            if (cluster.HealthCheck.Active.Grpc is { } grpc)
            {
                Unknown(errors, $"{path}.healthCheck.active.grpc", grpc);
                if (grpc.Service is null)
                {
                    errors.Add(new($"{path}.healthCheck.active.grpc.service", "must be a string (empty asks about the whole server)"));
                }
            }
        }

        foreach (var (id, route) in config.Routes)
        {
            if (route is { GrpcWeb: true, ClusterId: { } clusterId }
                && config.Clusters.FirstOrDefault(c => string.Equals(c.Key, clusterId, StringComparison.OrdinalIgnoreCase)).Value is { } cluster
                && !UpstreamHttpVersion.CarriesHttp2(cluster))
            {
                errors.Add(new($"routes.{id}.grpcWeb", $"cluster '{clusterId}' does not speak HTTP/2, which gRPC needs: give it h2c:// destinations, or https:// ones with httpRequest.version 2"));
            }
        }
    }
}
