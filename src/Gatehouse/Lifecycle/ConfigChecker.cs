using Gatehouse.Configuration;
using Gatehouse.Routing;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>
/// The full check a config gets before it is used: Gatehouse's own <see cref="ConfigValidator"/>, then YARP's validator
/// over the mapped routes and clusters (route templates, transforms, policy names), with errors named by config path.
/// </summary>
public sealed class ConfigChecker(IConfigValidator yarpValidator)
{
    public async Task<ConfigLoadResult> CheckFileAsync(string path) => await CheckAsync(ConfigLoader.LoadFile(path), Gatehouse.Tls.TlsPaths.BaseDirectory(path));

    /// <param name="loaded">A parsed and validated config.</param>
    /// <param name="baseDirectory">What relative file paths in the config are relative to; the working directory when null.</param>
    public async Task<ConfigLoadResult> CheckAsync(ConfigLoadResult loaded, string? baseDirectory = null)
    {
        if (loaded.Config is null)
        {
            return loaded;
        }

        // The files are loaded once, here: what the check loaded is what the generation's HTTP clients use.
        var parsed = loaded.Parsed ?? ConfigValidator.Check(loaded.Config).Parsed;
        var errors = new List<ConfigError>(Gatehouse.Tls.TlsFileCheck.Check(loaded.Config, baseDirectory ?? Directory.GetCurrentDirectory(), parsed.UpstreamTls));
        foreach (var (id, route) in loaded.Config.Routes)
        {
            foreach (var ex in await yarpValidator.ValidateRouteAsync(YarpConfigMapper.MapRoute(id, route)))
            {
                errors.Add(new($"routes.{id}", ex.Message));
            }
        }

        foreach (var (id, cluster) in loaded.Config.Clusters)
        {
            foreach (var ex in await yarpValidator.ValidateClusterAsync(YarpConfigMapper.MapCluster(id, cluster)))
            {
                errors.Add(new($"clusters.{id}", ex.Message));
            }
        }

        return errors.Count == 0 ? loaded with { Parsed = parsed } : new ConfigLoadResult(null, errors);
    }
}
