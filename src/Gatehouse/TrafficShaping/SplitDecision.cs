namespace Gatehouse.TrafficShaping;

/// <summary>
/// Which cluster a request of a split route goes to. Pure: an override the request carries wins; otherwise a sticky
/// split maps the client's key to a stable bucket (a hash, so the same key lands on the same cluster on every
/// Gatehouse and across restarts), and a request without a key draws its bucket.
/// </summary>
public static class SplitDecision
{
    /// <summary>The cluster for a request; null keeps the route's own cluster (a split with no clusters, overrides only).</summary>
    public static string? Choose(RouteSplit split, HttpContext context, Random random)
    {
        if (Override(split, context) is { } chosen)
        {
            return chosen;
        }

        if (split.TotalWeight == 0)
        {
            return null;
        }

        var key = split.Key?.Of(context);
        var bucket = key is null ? random.NextInt64(split.TotalWeight) : (long)(StableHash(key) % (ulong)split.TotalWeight);
        return ClusterForBucket(split, bucket);
    }

    /// <summary>The cluster whose share holds <paramref name="bucket"/> (0 ≤ bucket &lt; total weight).</summary>
    public static string ClusterForBucket(RouteSplit split, long bucket)
    {
        var bounds = split.UpperBounds;
        for (var i = 0; i < bounds.Count; i++)
        {
            if (bucket < bounds[i])
            {
                return split.Clusters[i];
            }
        }

        return split.Clusters[^1];
    }

    /// <summary>
    /// The cluster an override picks, the first that matches. One that names its cluster by the header's or cookie's value
    /// accepts only the split's own clusters: a client cannot reach any other cluster this way.
    /// </summary>
    public static string? Override(RouteSplit split, HttpContext context)
    {
        foreach (var rule in split.Overrides)
        {
            var value = rule.IsCookie ? context.Request.Cookies[rule.Name] : FirstHeader(context, rule.Name);
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (rule.Cluster is { } cluster)
            {
                if (rule.Value is null || string.Equals(rule.Value, value, StringComparison.OrdinalIgnoreCase))
                {
                    return cluster;
                }

                continue;
            }

            foreach (var named in split.Clusters)
            {
                if (string.Equals(named, value, StringComparison.OrdinalIgnoreCase))
                {
                    return named;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// FNV-1a over the key's UTF-16 code units, then the SplitMix64 finaliser: FNV alone leaves keys that differ only in
    /// their last characters (user-1, user-2…) too close in the low bits a modulo reads.
    /// </summary>
    public static ulong StableHash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        hash ^= hash >> 31;
        return hash;
    }

    private static string? FirstHeader(HttpContext context, string name) =>
        context.Request.Headers[name] is { Count: > 0 } values ? values[0] : null;
}
