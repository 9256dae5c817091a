using System.Text;
using Gatehouse.Lifecycle;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// The config loader: JSON text (UTF-8) → deserialisation → ConfigValidator, as `gatehouse check` and every reload run
/// it. The documented outcome for bad input is a list of errors, each with a path and a message; it never throws. A
/// config it calls valid validates again without errors.
/// </summary>
public static class ConfigTarget
{
    public static void Run(byte[] data)
    {
        var result = ConfigLoader.Parse(Encoding.UTF8.GetString(data));
        FindingException.Unless(result.IsValid == (result.Errors.Count == 0), "valid with errors, or invalid without any");
        foreach (var error in result.Errors)
        {
            FindingException.Unless(error.Path is not null && !string.IsNullOrWhiteSpace(error.Message), $"an error without path or message: {error}");
        }

        if (result.Config is { } config)
        {
            FindingException.Unless(ConfigValidator.Validate(config).Count == 0, "a valid config fails validation the second time");
        }
    }
}
