using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Protection;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    private static void ValidateHideBackend(List<ConfigError> errors, string path, HideBackendDefinition hide)
    {
        Unknown(errors, path, hide);
        HeaderPatterns(errors, $"{path}.removeHeaders", hide.RemoveHeaders);
        HeaderPatterns(errors, $"{path}.keepHeaders", hide.KeepHeaders);
        ValidateReplaceErrorPages(errors, $"{path}.replaceErrorPages", hide.ReplaceErrorPages, hide.ReplaceErrorPages.Statuses, hide.ReplaceErrorPages.PageStatuses);
        if (hide.Via is { } via && !IsToken(via))
        {
            errors.Add(new($"{path}.via", $"'{via}' is not a name for Via (letters, digits and -._~!#$%&'*+^`|, no spaces), such as \"gatehouse\""));
        }
    }

    private static void ValidateRouteHideBackend(List<ConfigError> errors, string path, RouteHideBackendDefinition hide)
    {
        Unknown(errors, path, hide);
        if (hide.ReplaceErrorPages is { } pages)
        {
            Unknown(errors, $"{path}.replaceErrorPages", pages);
            StatusPatterns(errors, $"{path}.replaceErrorPages.statuses", pages.Statuses ?? []);
            StatusPatterns(errors, $"{path}.replaceErrorPages.pageStatuses", pages.PageStatuses ?? []);
        }
    }

    private static void ValidateReplaceErrorPages(
        List<ConfigError> errors, string path, ConfigSection section, IReadOnlyList<StatusPattern> statuses, IReadOnlyList<StatusPattern> pageStatuses)
    {
        Unknown(errors, path, section);
        StatusPatterns(errors, $"{path}.statuses", statuses);
        StatusPatterns(errors, $"{path}.pageStatuses", pageStatuses);
    }

    private static void StatusPatterns(List<ConfigError> errors, string path, IReadOnlyList<StatusPattern> patterns)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            if (StatusSet.TryParsePattern(patterns[i].Raw) is null)
            {
                errors.Add(new($"{path}[{i}]", $"'{patterns[i].Raw}' is not an error status (400 to 599) or class (4xx, 5xx)"));
            }
        }
    }

    /// <summary>Header names, each optionally ending in one '*' that makes it a prefix.</summary>
    private static void HeaderPatterns(List<ConfigError> errors, string path, IReadOnlyList<string> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var name = entry is null ? "" : IdentityHeaders.IsPrefix(entry, out var prefix) ? prefix : entry;
            if (!IsToken(name) || name.Contains('*', StringComparison.Ordinal))
            {
                errors.Add(new($"{path}[{i}]", $"'{entry}' is not a header name or a prefix ending in * (such as X-Drupal-*)"));
            }
        }
    }
}
