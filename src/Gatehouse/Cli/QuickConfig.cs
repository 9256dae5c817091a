using Gatehouse.Configuration;

namespace Gatehouse.Cli;

/// <summary>Builds the config of <c>gatehouse proxy</c> (quick mode) from its flags. Pure, so it is tested like any config.</summary>
public static class QuickConfig
{
    public static ConfigLoadResult Build(string from, IReadOnlyList<string> to, string? policy, bool cache = false)
    {
        var errors = new List<ConfigError>();
        if (!Uri.TryCreate(from, UriKind.Absolute, out var listen) || listen.Scheme != Uri.UriSchemeHttp)
        {
            errors.Add(new("--from", $"'{from}' is not an http:// address such as http://127.0.0.1:8080"));
        }

        if (to.Count == 0)
        {
            errors.Add(new("--to", "at least one backend address is required"));
        }

        if (errors.Count > 0)
        {
            return new ConfigLoadResult(null, errors);
        }

        var host = listen!.Host.Trim('[', ']');
        var config = new GatehouseConfig
        {
            Listeners = [new ListenerDefinition { Name = "quick", Address = host, Port = listen.Port }],
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["all"] = new()
                {
                    ClusterId = "backends",
                    Match = new RouteMatchDefinition { PathPrefix = "/" },
                    Cache = new RouteCacheDefinition { Enabled = cache },
                },
            },
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["backends"] = new()
                {
                    LoadBalancingPolicy = policy,
                    Destinations = to.Select((address, i) => (address, i)).ToDictionary(d => $"d{d.i + 1}", d => new DestinationDefinition { Address = d.address }),
                },
            },
        };

        var validation = ConfigValidator.Validate(config);
        var renamed = validation.Select(e => e.Path switch
        {
            var p when p.StartsWith("clusters.backends.destinations.", StringComparison.Ordinal) => e with { Path = "--to " + p["clusters.backends.destinations.".Length..].Split('.')[0] },
            var p when p.StartsWith("clusters.backends.loadBalancingPolicy", StringComparison.Ordinal) => e with { Path = "--lb" },
            var p when p.StartsWith("listeners", StringComparison.Ordinal) => e with { Path = "--from" },
            _ => e,
        }).ToList();
        return new ConfigLoadResult(renamed.Count == 0 ? config : null, renamed);
    }
}
