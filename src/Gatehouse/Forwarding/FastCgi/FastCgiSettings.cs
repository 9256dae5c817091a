using Gatehouse.Configuration;

namespace Gatehouse.Forwarding;

/// <summary>A FastCGI cluster's settings, compiled; a cluster that speaks HTTP has none.</summary>
public sealed record FastCgiSettings(string Root, string Index, IReadOnlyList<string> SplitPath, bool TryFiles,
    IReadOnlyList<KeyValuePair<string, string>> Params, int MaxResponseHeaderBytes, TimeSpan ConnectTimeout)
{
    public static FastCgiSettings? From(ClusterDefinition cluster)
    {
        var isFastCgi = string.Equals(cluster.Protocol, ClusterProtocols.FastCgi, StringComparison.OrdinalIgnoreCase)
            || (cluster.Protocol is null && cluster.Destinations.Values.Any(d => d?.Address?.StartsWith("fastcgi://", StringComparison.OrdinalIgnoreCase) == true));
        if (!isFastCgi || cluster.FastCgi is not { } fastCgi)
        {
            return null;
        }

        return new FastCgiSettings(fastCgi.Root!.TrimEnd('/'), fastCgi.Index, fastCgi.SplitPath, fastCgi.TryFiles, fastCgi.Params.ToList(),
            (int)Math.Min(fastCgi.MaxResponseHeaderBytes.Value ?? 64 * 1024, int.MaxValue),
            cluster.HttpClient.ConnectTimeout.Value is { } connect && connect > TimeSpan.Zero ? connect : Timeout.InfiniteTimeSpan);
    }
}
