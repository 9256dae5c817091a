using Gatehouse.Configuration;
using Gatehouse.TrafficShaping;

namespace Gatehouse.Lifecycle;

/// <summary>A route's <c>split</c>, <c>splitKey</c>, <c>splitOverrides</c> and <c>mirror</c> (docs/traffic-shaping.md).</summary>
public static partial class ConfigValidator
{
    private static void ValidateTrafficShaping(List<ConfigError> errors, GatehouseConfig config)
    {
        foreach (var (id, route) in config.Routes)
        {
            if (route is not null)
            {
                ValidateSplit(errors, $"routes.{id}", route, config.Clusters);
                ValidateMirror(errors, $"routes.{id}.mirror", route.Mirror, config.Clusters);
            }
        }
    }

    private static void ValidateSplit(List<ConfigError> errors, string path, RouteDefinition route, IReadOnlyDictionary<string, ClusterDefinition> clusters)
    {
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < (route.Split?.Count ?? 0); i++)
        {
            var target = route.Split![i];
            var targetPath = $"{path}.split[{i}]";
            if (target is null)
            {
                errors.Add(new(targetPath, "a split entry must be an object"));
                continue;
            }

            Unknown(errors, targetPath, target);
            ClusterReference(errors, $"{targetPath}.cluster", target.Cluster, clusters);
            if (target.Cluster is not null && !named.Add(target.Cluster))
            {
                errors.Add(new($"{targetPath}.cluster", $"'{target.Cluster}' is named twice in the split"));
            }

            if (target.Weight is < 0 or > 10_000)
            {
                errors.Add(new($"{targetPath}.weight", $"{target.Weight} is out of range (0 to 10000)"));
            }
        }

        if (route.Split is { Count: > 0 } split && split.All(t => t is null || t.Weight == 0))
        {
            errors.Add(new($"{path}.split", "every weight is 0: at least one cluster must get a share"));
        }

        if (!SplitKey.TryParse(route.SplitKey, out _))
        {
            errors.Add(new($"{path}.splitKey", $"'{route.SplitKey}' is not ip, header:NAME or cookie:NAME"));
        }
        else if (route.SplitKey is not null && route.Split is not { Count: > 0 })
        {
            errors.Add(new($"{path}.splitKey", "only used with split"));
        }

        for (var i = 0; i < (route.SplitOverrides?.Count ?? 0); i++)
        {
            var rule = route.SplitOverrides![i];
            var rulePath = $"{path}.splitOverrides[{i}]";
            if (rule is null)
            {
                errors.Add(new(rulePath, "an override must be an object"));
                continue;
            }

            Unknown(errors, rulePath, rule);
            if ((rule.Header is null) == (rule.Cookie is null))
            {
                errors.Add(new(rulePath, "give either header or cookie"));
            }
            else if (!IsToken(rule.Header ?? rule.Cookie))
            {
                errors.Add(new($"{rulePath}.{(rule.Header is null ? "cookie" : "header")}", $"'{rule.Header ?? rule.Cookie}' is not a {(rule.Header is null ? "cookie" : "header")} name"));
            }

            if (rule.Cluster is not null)
            {
                ClusterReference(errors, $"{rulePath}.cluster", rule.Cluster, clusters);
            }
            else if (route.Split is not { Count: > 0 })
            {
                errors.Add(new($"{rulePath}.cluster", "required without a split: the value can only name one of the split's clusters"));
            }
        }
    }

    private static void ValidateMirror(List<ConfigError> errors, string path, MirrorDefinition? mirror, IReadOnlyDictionary<string, ClusterDefinition> clusters)
    {
        if (mirror is null)
        {
            return;
        }

        Unknown(errors, path, mirror);
        ClusterReference(errors, $"{path}.cluster", mirror.Cluster, clusters);
        if (mirror.Cluster is not null && clusters.TryGetValue(mirror.Cluster, out var shadow) && shadow is not null && IsFastCgiCluster(shadow))
        {
            errors.Add(new($"{path}.cluster", $"'{mirror.Cluster}' is a FastCGI cluster; a mirror copies HTTP requests to an HTTP cluster"));
        }

        if (mirror.Percent is < 0 or > 100 || double.IsNaN(mirror.Percent))
        {
            errors.Add(new($"{path}.percent", $"{mirror.Percent} is out of range (0 to 100)"));
        }

        if (!mirror.MaxBodyBytes.IsValid || mirror.MaxBodyBytes.Value > int.MaxValue - 1)
        {
            errors.Add(new($"{path}.maxBodyBytes", $"'{mirror.MaxBodyBytes.Raw}' is not a size below 2GB (such as 64KB)"));
        }

        if (mirror.MaxConcurrent < 1)
        {
            errors.Add(new($"{path}.maxConcurrent", "must be at least 1"));
        }

        PositiveDuration(errors, $"{path}.timeout", mirror.Timeout);
    }

    private static void ClusterReference(List<ConfigError> errors, string path, string? cluster, IReadOnlyDictionary<string, ClusterDefinition> clusters)
    {
        if (string.IsNullOrWhiteSpace(cluster))
        {
            errors.Add(new(path, "required: a cluster id"));
        }
        else if (!clusters.Keys.Contains(cluster, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(new(path, $"no cluster named '{cluster}'"));
        }
    }
}
