using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Configuration;

/// <summary>
/// A duration as written in the config file: <c>"250ms"</c>, <c>"5s"</c>, <c>"2m"</c>, <c>"1h"</c>, <c>"1d"</c>
/// or a TimeSpan such as <c>"00:00:05"</c>. An unparsable value is kept (with <see cref="Value"/> null) so that the
/// validator can report it together with every other error instead of failing the whole load.
/// </summary>
[JsonConverter(typeof(DurationJsonConverter))]
public readonly record struct Duration(TimeSpan? Value, string Raw)
{
    public bool IsValid => Value is not null;

    public static Duration From(TimeSpan value) => new(value, value.ToString("c", CultureInfo.InvariantCulture));

    public static Duration Parse(string raw) => new(TryParse(raw, out var value) ? value : null, raw);

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            // The invariant "c" format: [d.]hh:mm:ss[.fffffff]. TimeSpan.TryParse would read "36:00:00" as 36 days.
            return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        var unitStart = 0;
        while (unitStart < text.Length && (char.IsAsciiDigit(text[unitStart]) || text[unitStart] == '.'))
        {
            unitStart++;
        }

        if (unitStart == 0 || !double.TryParse(text.AsSpan(0, unitStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        double? milliseconds = text[unitStart..] switch
        {
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            "d" => number * 86_400_000,
            _ => null,
        };
        if (milliseconds is null || milliseconds > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds.Value);
        return true;
    }

    public override string ToString() => Raw;
}

internal sealed class DurationJsonConverter : JsonConverter<Duration>
{
    public override Duration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return Duration.Parse(reader.GetString()!);
            case JsonTokenType.Number:
                // A bare number is ambiguous (seconds? milliseconds?), so it is reported rather than guessed.
                using (var doc = JsonDocument.ParseValue(ref reader))
                {
                    return new Duration(null, doc.RootElement.GetRawText());
                }
            default:
                var given = reader.TokenType;
                reader.Skip();
                return new Duration(null, given.ToString());
        }
    }

    public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options) => writer.WriteStringValue(value.Raw);
}
