using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.Compression;

/// <summary>One route's compression, compiled from the top-level and route sections; absent when the route compresses nothing.</summary>
public sealed class RouteCompression
{
    /// <summary>
    /// Above this a stored response is compressed at the on-the-fly level even when the cache keeps it: brotli 11 runs at
    /// about 1 MB/s (docs/compression.md), so a bigger body would hold a core for seconds on one miss.
    /// </summary>
    public const long StoredLevelMaxBytes = 1024 * 1024;

    public required IReadOnlyList<ContentCoding> Preference { get; init; }

    public required FrozenDictionary<ContentCoding, int> Levels { get; init; }

    public required FrozenDictionary<ContentCoding, int> StoredLevels { get; init; }

    public required CompressibleTypes Types { get; init; }

    public required long MinimumSize { get; init; }

    /// <summary>The route's responses go through the HTTP cache, so a storable one is compressed at the stored level.</summary>
    public bool Cached { get; init; }

    /// <summary>Null when compression is off for the route. Expects a validated config.</summary>
    public static RouteCompression? From(CompressionDefinition global, RouteCompressionDefinition route, bool cached)
    {
        if (!(route.Enabled ?? global.Enabled))
        {
            return null;
        }
        var preference = new List<ContentCoding>();
        foreach (var name in route.Encodings ?? global.Encodings)
        {
            if (ContentCodings.TryParse(name, out var coding) && !preference.Contains(coding))
            {
                preference.Add(coding);
            }
        }
        if (preference.Count == 0)
        {
            return null;
        }
        return new RouteCompression
        {
            Preference = preference,
            Levels = Merge(CompressionDefinition.DefaultLevels, global.Levels, route.Levels),
            StoredLevels = Merge(CompressionDefinition.DefaultStoredLevels, global.StoredLevels, route.StoredLevels),
            Types = new CompressibleTypes(route.Types ?? global.Types),
            MinimumSize = (route.MinimumSize ?? global.MinimumSize).Value ?? 0,
            Cached = cached,
        };
    }

    private static FrozenDictionary<ContentCoding, int> Merge(params IReadOnlyDictionary<string, int>?[] layers)
    {
        var levels = new Dictionary<ContentCoding, int>();
        foreach (var layer in layers)
        {
            foreach (var (name, level) in layer ?? new Dictionary<string, int>())
            {
                if (ContentCodings.TryParse(name, out var coding))
                {
                    levels[coding] = level;
                }
            }
        }
        return levels.ToFrozenDictionary();
    }
}
