using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    private static void ValidateLog(List<ConfigError> errors, string path, LogDefinition log)
    {
        Unknown(errors, path, log);
        if (log.Format is not (LogFormats.Text or LogFormats.Json))
        {
            errors.Add(new($"{path}.format", $"'{log.Format}' is not text or json"));
        }

        if (!LogLevels.All.Contains(log.Level))
        {
            errors.Add(new($"{path}.level", $"'{log.Level}' is not one of {string.Join(", ", LogLevels.All)}"));
        }
    }
}
