using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Configuration;

/// <summary>
/// A size as written in the config file: a number of bytes (<c>1048576</c>) or a number with a unit, <c>KB</c>, <c>MB</c>,
/// <c>GB</c> (powers of 1024, as nginx's k/m/g), e.g. <c>"256MB"</c>. An unparsable value is kept for the validator to report.
/// </summary>
[JsonConverter(typeof(ByteSizeJsonConverter))]
public readonly record struct ByteSize(long? Value, string Raw)
{
    public bool IsValid => Value is not null;

    public static ByteSize From(long bytes) => new(bytes, bytes.ToString(CultureInfo.InvariantCulture));

    public static ByteSize Parse(string raw) => new(TryParse(raw, out var value) ? value : null, raw);

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var unitStart = 0;
        while (unitStart < text.Length && char.IsAsciiDigit(text[unitStart]))
        {
            unitStart++;
        }

        if (unitStart == 0 || !long.TryParse(text.AsSpan(0, unitStart), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        long? multiplier = text[unitStart..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => null,
        };
        if (multiplier is null || number > long.MaxValue / multiplier.Value)
        {
            return false;
        }

        bytes = number * multiplier.Value;
        return true;
    }

    public override string ToString() => Raw;
}

internal sealed class ByteSizeJsonConverter : JsonConverter<ByteSize>
{
    public override ByteSize Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return ByteSize.Parse(reader.GetString()!);
            case JsonTokenType.Number when reader.TryGetInt64(out var bytes) && bytes >= 0:
                return ByteSize.From(bytes);
            default:
                using (var doc = JsonDocument.ParseValue(ref reader))
                {
                    return new ByteSize(null, doc.RootElement.GetRawText());
                }
        }
    }

    public override void Write(Utf8JsonWriter writer, ByteSize value, JsonSerializerOptions options) => writer.WriteStringValue(value.Raw);
}
