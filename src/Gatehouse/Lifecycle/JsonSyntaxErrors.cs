using System.Text;
using System.Text.Json;
using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>
/// Describes a JSON syntax error as a config error a person can act on: the setting it follows or belongs to, the line
/// and column, what was expected and what was found. System.Text.Json's own message has none of the path once the
/// error follows a closed value (a missing comma after <c>"listeners": [...]</c> is reported at <c>$</c>), so the text
/// is read again here, keeping the path of the last value read.
/// </summary>
public static class JsonSyntaxErrors
{
    /// <summary>The first syntax error in <paramref name="json"/>, or null when its syntax is valid.</summary>
    public static ConfigError? Find(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var frames = new List<Frame>();
        var lastPath = "";
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (!TryGetString(ref reader, out var name))
                        {
                            frames[^1].Name = null; // the error is in the object that holds the name
                            return LoneSurrogate(json, bytes, reader, PathOf(frames));
                        }

                        frames[^1].Name = name;
                        lastPath = PathOf(frames);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        lastPath = PathOf(frames);
                        break;
                    default:
                        if (frames.Count > 0 && frames[^1].IsArray)
                        {
                            frames[^1].Index++;
                        }

                        lastPath = PathOf(frames);
                        if (reader.TokenType == JsonTokenType.String && !TryGetString(ref reader, out _))
                        {
                            return LoneSurrogate(json, bytes, reader, lastPath);
                        }

                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            frames.Add(new Frame { IsArray = reader.TokenType == JsonTokenType.StartArray });
                        }

                        break;
                }
            }

            return bytes.Length == 0 || frames.Count > 0 ? new ConfigError(lastPath, "not valid JSON: the file is empty or ends too early") : null;
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            var inArray = frames.Count > 0 && frames[^1].IsArray;
            return new ConfigError(lastPath, $"not valid JSON (line {line}, column {column}): {Explain(StripPosition(ex.Message), inArray)}{Near(json, (int)line)}");
        }
    }

    /// <summary>
    /// A \u escape of half a surrogate pair is valid JSON syntax, but no .NET string can hold it: reading it throws
    /// InvalidOperationException (found by the config fuzz target).
    /// </summary>
    private static bool TryGetString(ref Utf8JsonReader reader, out string? value)
    {
        try
        {
            value = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    private static ConfigError LoneSurrogate(string json, byte[] bytes, Utf8JsonReader reader, string path)
    {
        var start = (int)reader.TokenStartIndex;
        var line = bytes.AsSpan(0, start).Count((byte)'\n') + 1;
        var column = start - bytes.AsSpan(0, start).LastIndexOf((byte)'\n');
        return new ConfigError(path, $"not valid JSON (line {line}, column {column}): a string holds half of a UTF-16 surrogate pair (a \\uD800-\\uDFFF escape without its other half){Near(json, line)}");
    }

    private static string Explain(string reason, bool inArray)
    {
        // Utf8JsonReader's reasons start with the character found, in quotes: "'/' is an invalid start of a value."
        var found = reason.StartsWith('\'') && reason.IndexOf("' ", 1, StringComparison.Ordinal) is var end and > 0 ? reason[..(end + 1)] : null;
        if (found is null)
        {
            return reason.Contains("does not contain any JSON tokens", StringComparison.Ordinal) ? "the file is empty; a config is a JSON object: { ... }"
                : reason.Contains("end of the JSON payload", StringComparison.Ordinal) || reason.Contains("end of data", StringComparison.Ordinal)
                    ? "the file ends before every { and [ is closed"
                    : reason;
        }

        if (reason.Contains("is invalid after a value", StringComparison.Ordinal))
        {
            return $"expected ',' or {(inArray ? "']'" : "'}'")} after this value, found {found} (is a comma missing?)";
        }

        if (reason.Contains("invalid start of a value", StringComparison.Ordinal))
        {
            return $"expected a value (a \"string\", a number, true, false, null, an object or an array), found {found}";
        }

        if (reason.Contains("invalid start of a property name", StringComparison.Ordinal))
        {
            return $"expected a setting name in double quotes, found {found}";
        }

        if (reason.Contains("invalid after a property name", StringComparison.Ordinal))
        {
            return $"expected ':' after the setting name, found {found}";
        }

        return reason;
    }

    /// <summary>"… Path: $ | LineNumber: 2 | BytePositionInLine: 2." → "…": the position is said once, as line and column.</summary>
    private static string StripPosition(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal) is var path and >= 0 ? path : message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd().TrimEnd('.');
    }

    /// <summary>The line in question, so that the error can be found without opening the file at that line.</summary>
    private static string Near(string json, int line)
    {
        var text = json.Split('\n').ElementAtOrDefault(line - 1)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        return $"; the line reads: {(text.Length > 80 ? text[..77] + "..." : text)}";
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(Math.Max(frame.Index, 0)).Append(']');
            }
            else if (frame.Name is { } name)
            {
                path.Append(path.Length == 0 ? "" : ".").Append(name);
            }
        }

        return path.ToString();
    }

    private sealed class Frame
    {
        public bool IsArray { get; init; }

        public int Index { get; set; } = -1;

        public string? Name { get; set; }
    }
}
