using System.Collections.Frozen;
using Gatehouse.Caching.Storage;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Tests.Storage;

public class StoredEntryEncodingTests
{
    private static readonly DateTimeOffset ResponseTime = new(2026, 12, 6, 1, 0, 0, TimeSpan.FromHours(1));

    private static CachedResponse Entry() => new()
    {
        Key = "http://shop.example/a",
        Target = "http://shop.example/a",
        VaryKey = "accept-encoding=gzip",
        StatusCode = 200,
        Headers = new Dictionary<string, StringValues> { ["Content-Type"] = "text/plain", ["ETag"] = "\"v1\"" }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
        Body = "hello"u8.ToArray(),
        Freshness = new Freshness
        {
            ResponseTime = ResponseTime,
            CorrectedInitialAge = TimeSpan.FromSeconds(5),
            Lifetime = TimeSpan.FromSeconds(60),
            Source = FreshnessSource.MaxAge,
            StaleWhileRevalidate = TimeSpan.FromSeconds(30),
            StaleIfError = TimeSpan.FromSeconds(300),
        },
        Tags = ["t1", "t2"],
    };

    private static string Name(CachedResponse entry) => StoredEntryEncoding.NameOf(entry.Key, entry.VaryKey);

    [Fact]
    public void Entry_RoundTrips_WithItsAbsoluteTimes()
    {
        var entry = Entry();

        var decoded = StoredEntryEncoding.TryDecode(StoredEntryEncoding.Encode(entry), Name(entry));

        Assert.NotNull(decoded);
        Assert.Equal(entry.Freshness, decoded!.Freshness);
        Assert.Equal(entry.Tags, decoded.Tags);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(decoded.Body.Span));
        Assert.Equal("\"v1\"", decoded.Headers["etag"].ToString());
        Assert.Equal(entry.Freshness.CurrentAge(ResponseTime.AddSeconds(10)), decoded.Freshness.CurrentAge(ResponseTime.AddSeconds(10)));
    }

    [Fact]
    public void AnyFlippedByte_OrAnotherVersion_OrTruncation_OrAnotherName_IsRefused()
    {
        var entry = Entry();
        var bytes = StoredEntryEncoding.Encode(entry);
        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            Assert.Null(StoredEntryEncoding.TryDecode(tampered, Name(entry)));
        }

        Assert.Null(StoredEntryEncoding.TryDecode(bytes[..^1], Name(entry)));
        Assert.Null(StoredEntryEncoding.TryDecode([], Name(entry)));
        Assert.Null(StoredEntryEncoding.TryDecode(bytes, StoredEntryEncoding.NameOf(entry.Key, "")));
    }
}
