using Gatehouse.Compression;
using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>The top-level and per-route <c>compression</c> sections.</summary>
public static partial class ConfigValidator
{
    private static void ValidateCompression(List<ConfigError> errors, GatehouseConfig config)
    {
        var global = config.Compression;
        Unknown(errors, "compression", global);
        ValidateCompressionSettings(errors, "compression", global.Encodings, global.Levels, global.StoredLevels, global.Types, global.MinimumSize);
        foreach (var (id, route) in config.Routes)
        {
            if (route?.Compression is not { } compression)
            {
                continue;
            }
            var path = $"routes.{id}.compression";
            Unknown(errors, path, compression);
            ValidateCompressionSettings(errors, path, compression.Encodings, compression.Levels, compression.StoredLevels, compression.Types, compression.MinimumSize);
        }
    }

    private static void ValidateCompressionSettings(
        List<ConfigError> errors,
        string path,
        IReadOnlyList<string>? encodings,
        IReadOnlyDictionary<string, int>? levels,
        IReadOnlyDictionary<string, int>? storedLevels,
        IReadOnlyList<string>? types,
        ByteSize? minimumSize)
    {
        for (var i = 0; i < (encodings?.Count ?? 0); i++)
        {
            if (!IsCodingName(encodings![i]))
            {
                errors.Add(new($"{path}.encodings[{i}]", $"'{encodings[i]}' is not an encoding Gatehouse makes (zstd, br, gzip)"));
            }
        }
        if (encodings is { Count: 0 })
        {
            errors.Add(new($"{path}.encodings", "must name at least one encoding (turn compression off with enabled: false)"));
        }
        ValidateLevels(errors, $"{path}.levels", levels);
        ValidateLevels(errors, $"{path}.storedLevels", storedLevels);
        for (var i = 0; i < (types?.Count ?? 0); i++)
        {
            if (types![i] is not { } type || !CompressibleTypes.IsPattern(type))
            {
                errors.Add(new($"{path}.types[{i}]", $"'{types[i]}' is not a media type pattern (type/subtype, type/* or */*+suffix)"));
            }
        }
        if (minimumSize is { } size && (size.Value is not { } bytes || bytes < 0))
        {
            errors.Add(new($"{path}.minimumSize", $"'{size.Raw}' is not a size (such as 0, 512, 1KB)"));
        }
    }

    private static void ValidateLevels(List<ConfigError> errors, string path, IReadOnlyDictionary<string, int>? levels)
    {
        foreach (var (name, level) in levels ?? new Dictionary<string, int>())
        {
            if (!IsCodingName(name) || !ContentCodings.TryParse(name, out var coding))
            {
                errors.Add(new($"{path}.{name}", $"'{name}' is not an encoding Gatehouse makes (zstd, br, gzip)"));
                continue;
            }
            var (min, max) = ContentCodings.LevelRange(coding);
            if (level < min || level > max)
            {
                errors.Add(new($"{path}.{name}", $"{level} is out of range ({min} to {max} for {name})"));
            }
        }
    }

    // The config spells codings as the headers do, in lower case; x-gzip is a client's alias, not a setting.
    private static bool IsCodingName(string? name) => name is ContentCodings.GzipName or ContentCodings.BrotliName or ContentCodings.ZstdName;
}
