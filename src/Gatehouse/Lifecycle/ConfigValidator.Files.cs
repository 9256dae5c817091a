using Gatehouse.Configuration;
using Gatehouse.StaticFiles;

namespace Gatehouse.Lifecycle;

/// <summary>The routes' <c>files</c> sections (docs/static-files.md).</summary>
public static partial class ConfigValidator
{
    private static void ValidateFiles(List<ConfigError> errors, GatehouseConfig config)
    {
        foreach (var (id, route) in config.Routes)
        {
            if (route?.Files is not { } files)
            {
                continue;
            }
            var path = $"routes.{id}.files";
            Unknown(errors, path, files);
            if (string.IsNullOrWhiteSpace(files.Root))
            {
                errors.Add(new($"{path}.root", "required: the folder to serve, an absolute path"));
            }
            else if (!files.Root.StartsWith('/') || files.Root.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(new($"{path}.root", $"'{files.Root}' is not an absolute path (such as /srv/www)"));
            }

            for (var i = 0; i < (files.Index?.Count ?? 0); i++)
            {
                if (files.Index![i] is not { } name || !FilePaths.IsPlainName(name))
                {
                    errors.Add(new($"{path}.index[{i}]", $"'{files.Index[i]}' is not a file name (such as index.html; no '/', '.' or '..')"));
                }
            }

            if (files.Fallback is { } fallback && FilePaths.Map(fallback, null, serveDotfiles: true).Lookup != PathLookup.File)
            {
                errors.Add(new($"{path}.fallback", $"'{fallback}' is not a file's path under the root (such as /index.html)"));
            }

            var seen = new HashSet<SiblingCoding>();
            for (var i = 0; i < (files.Precompressed?.Count ?? 0); i++)
            {
                var name = files.Precompressed![i];
                if (name is null || SiblingCoding.Named(name) is not { } coding)
                {
                    errors.Add(new($"{path}.precompressed[{i}]", $"'{name}' is not one of br, zstd, gzip"));
                }
                else if (!seen.Add(coding))
                {
                    errors.Add(new($"{path}.precompressed[{i}]", $"'{name}' is listed twice"));
                }
            }

            if (files.StripPrefix is { } prefix && (!prefix.StartsWith('/') || prefix.Length < 2))
            {
                errors.Add(new($"{path}.stripPrefix", $"'{prefix}' must be a path such as /app"));
            }

            if (files.CacheControl is { } cacheControl && (cacheControl.Length == 0 || cacheControl.Any(c => c is < ' ' or > '~')))
            {
                errors.Add(new($"{path}.cacheControl", "must be a Cache-Control value such as \"public, max-age=3600\" (printable ASCII)"));
            }
        }
    }
}
