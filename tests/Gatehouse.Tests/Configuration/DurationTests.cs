using System.Text.Json;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class DurationTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("5s", 5_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0.5ms", 0.5)]
    [InlineData("0s", 0)]
    [InlineData(" 5s ", 5_000)]
    [InlineData("00:00:05", 5_000)]
    [InlineData("00:02:00", 120_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    [InlineData("00:00:00.250", 250)]
    public void TryParse_UnitOrTimeSpan_GivesValue(string text, double expectedMilliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("abc")]
    [InlineData("-1s")]
    [InlineData("-00:00:05")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData(".s")]
    [InlineData("5 s")]
    [InlineData("5sec")]
    [InlineData("5w")]
    [InlineData("1.2.3s")]
    [InlineData("1e3ms")]
    [InlineData("99999999999999d")]
    [InlineData("00:00:xx")]
    public void TryParse_NotADuration_Rejects(string text)
    {
        Assert.False(Duration.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_Rejects()
    {
        Assert.False(Duration.TryParse(null, out _));
    }

    [Fact]
    public void Parse_Invalid_KeepsRawForTheErrorMessage()
    {
        var duration = Duration.Parse("soon");

        Assert.False(duration.IsValid);
        Assert.Null(duration.Value);
        Assert.Equal("soon", duration.Raw);
        Assert.Equal("soon", duration.ToString());
    }

    [Fact]
    public void Parse_Valid_KeepsRawAsWritten()
    {
        var duration = Duration.Parse("250ms");

        Assert.True(duration.IsValid);
        Assert.Equal(TimeSpan.FromMilliseconds(250), duration.Value);
        Assert.Equal("250ms", duration.Raw);
    }

    [Fact]
    public void From_TimeSpan_IsValidWithConstantFormatRaw()
    {
        var duration = Duration.From(TimeSpan.FromSeconds(5));

        Assert.True(duration.IsValid);
        Assert.Equal("00:00:05", duration.Raw);
    }

    [Fact]
    public void Json_String_IsParsed()
    {
        var duration = JsonSerializer.Deserialize<Duration>("\"2m\"", ConfigJson.Read);

        Assert.Equal(TimeSpan.FromMinutes(2), duration.Value);
    }

    [Theory]
    [InlineData("5", "5")]
    [InlineData("5.5", "5.5")]
    [InlineData("0", "0")]
    public void Json_BareNumber_IsKeptInvalidRatherThanGuessed(string json, string raw)
    {
        var duration = JsonSerializer.Deserialize<Duration>(json, ConfigJson.Read);

        Assert.False(duration.IsValid);
        Assert.Equal(raw, duration.Raw);
    }

    [Theory]
    [InlineData("true", "True")]
    [InlineData("null", "Null")]
    [InlineData("[\"5s\"]", "StartArray")]
    [InlineData("{\"seconds\": 5}", "StartObject")]
    public void Json_OtherToken_IsKeptInvalidAndNamesWhatWasGiven(string json, string raw)
    {
        var duration = JsonSerializer.Deserialize<Duration>(json, ConfigJson.Read);

        Assert.False(duration.IsValid);
        Assert.Equal(raw, duration.Raw);
    }

    [Fact]
    public void Json_InvalidValueInsideObject_ReaderContinuesWithTheNextProperty()
    {
        var definition = JsonSerializer.Deserialize<ActiveHealthCheckDefinition>(
            """{ "interval": { "seconds": 5 }, "timeout": "3s" }""", ConfigJson.Read)!;

        Assert.False(definition.Interval.IsValid);
        Assert.Equal(TimeSpan.FromSeconds(3), definition.Timeout.Value);
    }

    [Fact]
    public void Json_Write_WritesRaw()
    {
        Assert.Equal("\"250ms\"", JsonSerializer.Serialize(Duration.Parse("250ms"), ConfigJson.Read));
    }
}
