using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>A cluster's <c>protocol</c> and <c>fastCgi</c> section (docs/fastcgi.md).</summary>
public static partial class ConfigValidator
{
    /// <summary>A cluster whose destinations speak FastCGI: <c>protocol: fastcgi</c>, or a fastcgi:// address.</summary>
    internal static bool IsFastCgiCluster(ClusterDefinition cluster) =>
        string.Equals(cluster.Protocol, ClusterProtocols.FastCgi, StringComparison.OrdinalIgnoreCase)
        || (cluster.Protocol is null && cluster.Destinations.Values.Any(d => d?.Address?.StartsWith("fastcgi://", StringComparison.OrdinalIgnoreCase) == true));

    private static void ValidateFastCgi(List<ConfigError> errors, GatehouseConfig config)
    {
        foreach (var (id, cluster) in config.Clusters)
        {
            if (cluster is not null)
            {
                ValidateFastCgiCluster(errors, $"clusters.{id}", cluster);
            }
        }
    }

    private static void ValidateFastCgiCluster(List<ConfigError> errors, string path, ClusterDefinition cluster)
    {
        if (cluster.Protocol is { } protocol && !protocol.Equals(ClusterProtocols.Http, StringComparison.OrdinalIgnoreCase)
            && !protocol.Equals(ClusterProtocols.FastCgi, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new($"{path}.protocol", $"'{protocol}' is not one of {ClusterProtocols.Http}, {ClusterProtocols.FastCgi}"));
            return;
        }

        if (!IsFastCgiCluster(cluster))
        {
            if (cluster.FastCgi is not null)
            {
                errors.Add(new($"{path}.fastCgi", "only used with protocol fastcgi"));
            }

            return;
        }

        foreach (var (id, destination) in cluster.Destinations)
        {
            if (destination?.Address is { } address && !Forwarding.FastCgiAddress.TryParse(address, out _))
            {
                errors.Add(new($"{path}.destinations.{id}.address", $"'{address}' is not fastcgi://HOST:PORT or unix:/PATH (a FastCGI cluster)"));
            }
        }

        if (cluster.HealthCheck.Active.Enabled)
        {
            errors.Add(new($"{path}.healthCheck.active", "active health checks send HTTP; a FastCGI cluster has passive health checks only"));
        }

        var settings = cluster.FastCgi;
        var settingsPath = $"{path}.fastCgi";
        if (settings is null)
        {
            errors.Add(new($"{settingsPath}.root", "required for a FastCGI cluster: the document root as the FastCGI server sees it"));
            return;
        }

        Unknown(errors, settingsPath, settings);
        if (string.IsNullOrWhiteSpace(settings.Root) || !settings.Root.StartsWith('/'))
        {
            errors.Add(new($"{settingsPath}.root", settings.Root is null ? "required: the document root as the FastCGI server sees it" : $"'{settings.Root}' is not an absolute path"));
        }

        if (string.IsNullOrWhiteSpace(settings.Index) || settings.Index.Contains('/', StringComparison.Ordinal))
        {
            errors.Add(new($"{settingsPath}.index", $"'{settings.Index}' is not a file name (such as index.php)"));
        }

        for (var i = 0; i < settings.SplitPath.Count; i++)
        {
            if (settings.SplitPath[i] is not { Length: > 1 } extension || extension[0] != '.' || extension.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(new($"{settingsPath}.splitPath[{i}]", $"'{settings.SplitPath[i]}' is not an extension (such as .php)"));
            }
        }

        foreach (var name in settings.Params.Keys)
        {
            if (string.IsNullOrEmpty(name) || name.Any(c => c is '=' or '\0' || char.IsControl(c)))
            {
                errors.Add(new($"{settingsPath}.params.{name}", "not a CGI variable name"));
            }
        }

        PositiveSize(errors, $"{settingsPath}.maxResponseHeaderBytes", settings.MaxResponseHeaderBytes);
    }
}
