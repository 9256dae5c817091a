using System.Text;
using System.Text.Json;
using Gatehouse.Caching.Storage;
using static Gatehouse.Caching.Tests.Storage.StoredResponses;

namespace Gatehouse.Caching.Tests.Storage;

/// <summary>The disk entry format: the JSON header round-trips exactly, and damage of any kind is detected.</summary>
public class DiskEntryFileTests
{
    public static TheoryData<Freshness> Freshnesses => new(
        new Freshness
        {
            ResponseTime = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.FromMinutes(330)).AddTicks(1234567),
            CorrectedInitialAge = TimeSpan.FromTicks(98765432101),
            Lifetime = TimeSpan.FromSeconds(int.MaxValue + 1L),
            Source = FreshnessSource.Heuristic,
            RequiresValidation = true,
            ForbidsStale = true,
            Immutable = true,
            StaleWhileRevalidate = TimeSpan.FromTicks(1),
            StaleIfError = TimeSpan.FromDays(3).Add(TimeSpan.FromTicks(7)),
        },
        new Freshness
        {
            ResponseTime = DateTimeOffset.MinValue,
            CorrectedInitialAge = TimeSpan.Zero,
            Lifetime = TimeSpan.FromTicks(-5),
            Source = FreshnessSource.None,
            StaleIfError = null,
        },
        new Freshness
        {
            ResponseTime = new DateTimeOffset(2030, 12, 31, 23, 59, 59, 999, TimeSpan.FromHours(-8)),
            CorrectedInitialAge = TimeSpan.MaxValue,
            Lifetime = TimeSpan.MinValue,
            Source = FreshnessSource.SharedMaxAge,
            StaleIfError = TimeSpan.Zero,
        });

    [Theory]
    [MemberData(nameof(Freshnesses))]
    public void Freshness_RoundTripsExactly(Freshness freshness)
    {
        var header = DiskEntryHeader.From(Response("https://example.com/a") with { Freshness = freshness });

        var json = JsonSerializer.Serialize(header, DiskEntryJsonContext.Default.DiskEntryHeader);
        var read = JsonSerializer.Deserialize(json, DiskEntryJsonContext.Default.DiskEntryHeader)!;

        Assert.Equal(freshness, read.Freshness);
        Assert.Equal(freshness.ResponseTime.Offset, read.Freshness.ResponseTime.Offset);
        Assert.Equal(freshness.ResponseTime.Ticks, read.Freshness.ResponseTime.Ticks);
        Assert.Contains($"\"Source\":\"{freshness.Source}\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void WholeFile_RoundTripsEveryField()
    {
        var response = Response("https://example.com/a header:x=1", "accept-encoding=gzip\naccept-language", bodyBytes: 5000, target: "https://example.com/a", tags: ["a", "b"], seed: 3) with
        {
            StatusCode = 301,
            Headers = CachedResponse.FreezeHeaders(
            [
                new("Location", "/b"),
                new("X-Empty", ""),
                new("X-Many", new Microsoft.Extensions.Primitives.StringValues(["1", "2", "3"])),
                new("X-Unicode", "caf\u00e9 \u2603"),
            ]),
            Freshness = Freshnesses.First().Data,
        };

        var decoded = DiskEntryFile.TryDecode(FileOf(response), NameOf(response));

        Assert.NotNull(decoded);
        AssertSame(response, decoded);
        Assert.Equal("/b", decoded.Headers["location"]);
    }

    [Fact]
    public void DamageAnywhere_IsDetected()
    {
        var response = Response("https://example.com/a", bodyBytes: 300);
        var file = FileOf(response);
        var name = NameOf(response);

        for (var i = 0; i < file.Length; i++)
        {
            var damaged = (byte[])file.Clone();
            damaged[i] ^= 0x20;
            Assert.Null(DiskEntryFile.TryDecode(damaged, name));
        }

        for (var length = 0; length < file.Length; length += 7)
        {
            Assert.Null(DiskEntryFile.TryDecode(file[..length], name));
        }

        Assert.Null(DiskEntryFile.TryDecode([.. file, 0], name));
        Assert.Null(DiskEntryFile.TryDecode(file, DiskEntryFile.NameOf("https://example.com/other", "")));
        Assert.NotNull(DiskEntryFile.TryDecode(file, name));
    }

    [Theory]
    [InlineData("\"Key\":\"https://example.com/a\",", "")]
    [InlineData("\"Key\":\"https://example.com/a\"", "\"Key\":null")]
    [InlineData("\"Tags\":[]", "\"Tags\":null")]
    [InlineData("\"Source\":\"None\"", "\"Source\":\"Guessed\"")]
    [InlineData("\"Lifetime\":\"00:01:00\"", "\"Lifetime\":60")]
    public void HeaderMissingOrMistyped_IsRejected(string field, string replacement)
    {
        var json = JsonSerializer.Serialize(DiskEntryHeader.From(Response("https://example.com/a")), DiskEntryJsonContext.Default.DiskEntryHeader);
        Assert.Contains(field, json, StringComparison.Ordinal);

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json.Replace(field, replacement, StringComparison.Ordinal), DiskEntryJsonContext.Default.DiskEntryHeader));
    }

    [Fact]
    public void Names_TellEntriesAndTemporaryFilesFromOthers()
    {
        var name = DiskEntryFile.NameOf("https://example.com/a", "");

        Assert.True(DiskEntryFile.TryParseEntryName(name + ".entry", out var parsed));
        Assert.Equal(name, parsed);
        Assert.False(DiskEntryFile.TryParseEntryName(name.ToUpperInvariant() + ".entry", out _));
        Assert.False(DiskEntryFile.TryParseEntryName(name + ".tmp", out _));
        Assert.False(DiskEntryFile.TryParseEntryName("notes.entry", out _));
        Assert.True(DiskEntryFile.IsTemporary(DiskEntryFile.TemporaryNameOf(name)));
        Assert.False(DiskEntryFile.IsTemporary("download.tmp"));
        Assert.False(DiskEntryFile.IsTemporary(name + ".entry"));
    }

    private static string NameOf(CachedResponse response) => DiskEntryFile.NameOf(response.Key, response.VaryKey);

    private static byte[] FileOf(CachedResponse response) => [.. DiskEntryFile.EncodeHead(response), .. response.Body.ToArray()];

    [Fact]
    public void Header_IsReadableJson()
    {
        var file = FileOf(Response("https://example.com/a"));

        Assert.Equal("GHC1", Encoding.ASCII.GetString(file, 0, 4));
        var headerLength = BitConverter.ToInt32(file, 4);
        using var json = JsonDocument.Parse(file.AsMemory(24, headerLength));
        Assert.Equal("https://example.com/a", json.RootElement.GetProperty("Key").GetString());
    }
}
