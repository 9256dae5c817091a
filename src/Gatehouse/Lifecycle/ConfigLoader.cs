using System.Text.Json;
using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>The outcome of reading a config: the config when it is valid, otherwise every error found.</summary>
public sealed record ConfigLoadResult(GatehouseConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Config is not null && Errors.Count == 0;

    /// <summary>What the check parsed the valid config's sections into; the generation is compiled from these (null without a config).</summary>
    public ParsedConfig? Parsed { get; init; }
}

/// <summary>Reads a JSON config file (comments and trailing commas allowed) and runs <see cref="ConfigValidator"/> over it.</summary>
public static class ConfigLoader
{
    public static ConfigLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return new ConfigLoadResult(null, [new ConfigError(path, $"cannot read the config file: {ex.Message}")]);
        }

        return Parse(text);
    }

    public static ConfigLoadResult Parse(string json)
    {
        GatehouseConfig? config;
        try
        {
            config = JsonSerializer.Deserialize(json, ConfigJson.Info<GatehouseConfig>(ConfigJson.Read));
        }
        catch (JsonException ex)
        {
            // A syntax error is described from the text (path, expected, found); a value of the wrong type from the exception.
            return new ConfigLoadResult(null, [JsonSyntaxErrors.Find(json) ?? DescribeJsonError(ex)]);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json throws this, not JsonException, for a string escape of half a surrogate pair.
            return new ConfigLoadResult(null, [JsonSyntaxErrors.Find(json) ?? new ConfigError("", "not valid JSON: a string is not valid UTF-16")]);
        }

        if (config is null)
        {
            return new ConfigLoadResult(null, [new ConfigError("", "the config must be a JSON object")]);
        }

        var check = ConfigValidator.Check(config);
        return check.Errors.Count == 0 ? new ConfigLoadResult(config, check.Errors) { Parsed = check.Parsed } : new ConfigLoadResult(null, check.Errors);
    }

    private static ConfigError DescribeJsonError(JsonException ex)
    {
        var path = ex.Path is { Length: > 0 } p ? JsonPathToConfigPath(p) : "";
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, column {ex.BytePositionInLine + 1})" : "";
        var what = ex.InnerException is InvalidOperationException or FormatException || ex.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? $"wrong type of value{where}: {ExpectedType(ex.Message)}"
            : ex.Message.Contains("doesn't allow setting null values", StringComparison.Ordinal)
                ? $"must not be null{where}"
                : $"not valid JSON{where}";
        return new ConfigError(path, what);
    }

    private static string ExpectedType(string message)
    {
        // System.Text.Json says "The JSON value could not be converted to System.Int32." Keep the type, drop the rest.
        const string marker = "converted to ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return "unexpected value";
        }

        var type = message[(at + marker.Length)..];
        var end = type.IndexOf(". ", StringComparison.Ordinal);
        type = end >= 0 ? type[..end] : type.TrimEnd('.');
        return type switch
        {
            "System.Int32" or "System.Int64" or "System.Nullable`1[System.Int32]" => "expected a whole number",
            "System.Double" => "expected a number",
            "System.Boolean" => "expected true or false",
            "System.String" => "expected a string",
            _ when type.Contains("IReadOnlyList", StringComparison.Ordinal) => "expected an array",
            _ when type.Contains("IReadOnlyDictionary", StringComparison.Ordinal) || type.StartsWith("Gatehouse.", StringComparison.Ordinal) => "expected an object",
            _ => $"expected {type}",
        };
    }

    /// <summary><c>$.clusters.api.destinations['d 1'].weight</c> → <c>clusters.api.destinations.d 1.weight</c>.</summary>
    internal static string JsonPathToConfigPath(string jsonPath)
    {
        var path = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        return path.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
    }
}
