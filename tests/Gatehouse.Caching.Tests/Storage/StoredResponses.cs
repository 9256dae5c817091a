using Gatehouse.Caching.Storage;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Tests.Storage;

/// <summary>Responses to store, and a field-by-field comparison for stores that hand back copies.</summary>
internal static class StoredResponses
{
    public static CachedResponse Response(string key, string varyKey = "", int bodyBytes = 100, string? target = null, string[]? tags = null, int seed = 0) => new()
    {
        Key = key,
        Target = target ?? key,
        VaryKey = varyKey,
        StatusCode = 200,
        Headers = CachedResponse.FreezeHeaders(
        [
            new("Content-Type", "text/plain"),
            new("ETag", $"\"{seed}\""),
            new("Set-Cookie-Like", new StringValues(["a=1", "b=2"])),
        ]),
        Body = Body(bodyBytes, seed),
        Freshness = Http.Stored(60),
        Tags = tags ?? [],
    };

    public static byte[] Body(int length, int seed = 0)
    {
        var body = new byte[length];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)((i * 31) + seed);
        }

        return body;
    }

    public static void AssertSame(CachedResponse expected, CachedResponse actual)
    {
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.VaryKey, actual.VaryKey);
        Assert.Equal(expected.StatusCode, actual.StatusCode);
        Assert.Equal(
            expected.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => (h.Key, h.Value.ToArray())),
            actual.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => (h.Key, h.Value.ToArray())));
        Assert.Equal(expected.Body.ToArray(), actual.Body.ToArray());
        Assert.Equal(expected.Freshness, actual.Freshness);
        Assert.Equal(expected.Freshness.ResponseTime.Offset, actual.Freshness.ResponseTime.Offset);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Size, actual.Size);
    }

    /// <summary>The variants of <paramref name="key"/>, by variant key.</summary>
    public static async Task<Dictionary<string, CachedResponse>> VariantsAsync(IHttpCacheStore store, string key) =>
        (await store.GetAsync(key, TestContext.Current.CancellationToken)).ToDictionary(r => r.VaryKey, StringComparer.Ordinal);
}

/// <summary>A directory under the system temp directory, not created, deleted with everything in it at the end.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gatehouse-store-tests-" + Guid.NewGuid().ToString("N"));

    public string[] Files() => Directory.Exists(Path) ? [.. Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class StepClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = Http.Now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(int seconds) => Now = Now.AddSeconds(seconds);
}
