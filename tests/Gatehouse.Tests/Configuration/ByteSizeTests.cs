using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class ByteSizeTests
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("512KB", 512L * 1024)]
    [InlineData("256MB", 256L * 1024 * 1024)]
    [InlineData("1GB", 1024L * 1024 * 1024)]
    [InlineData("2g", 2L * 1024 * 1024 * 1024)]
    [InlineData(" 8 MiB ", 8L * 1024 * 1024)]
    [InlineData("1TB", 1L << 40)]
    public void TryParse_NumbersAndUnits_AreBytes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MB")]
    [InlineData("1.5MB")]
    [InlineData("-1MB")]
    [InlineData("10 parsecs")]
    [InlineData("99999999999999999TB")]
    public void TryParse_Nonsense_IsRefused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Parse_FromJson_AcceptsNumbersAndStrings_AndKeepsBadValuesForTheValidator()
    {
        var result = ConfigLoader.Parse("""
            { "listeners": [ { "port": 1 } ], "cache": { "maxBytes": 4096, "maxEntryBytes": "lots", "diskMaxBytes": -5 } }
            """);

        Assert.Contains(result.Errors, e => e.Path == "cache.maxEntryBytes" && e.Message.Contains("'lots'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "cache.diskMaxBytes");
        Assert.DoesNotContain(result.Errors, e => e.Path == "cache.maxBytes");
    }
}
