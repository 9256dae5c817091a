using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>Stored parts (RFC 9111 §3.3, §3.4) through a real Kestrel cache, on a fake clock.</summary>
public partial class HttpCachePartialContentTests
{
    private const string Content = "abcdefghijklmnopqrstuvwxyz0123456789";

    [Fact]
    public async Task PartsUnderAStrongLastModified_AreStoredAndCombined_Rfc9110_8_8_2_2()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        var lastModified = Http.Date(host.Time.GetUtcNow().AddHours(-1));
        host.Origin.Map("/f", Ranges(("Cache-Control", "max-age=60"), ("Last-Modified", lastModified)));

        using var first = await host.GetAsync("/f", ("Range", "bytes=0-9"));
        using var second = await host.GetAsync("/f", ("Range", "bytes=10-35"));
        using var whole = await host.GetAsync("/f");

        Assert.Contains("stored", first.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.StartsWith("Gatehouse; hit", whole.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(Content, await whole.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, host.Origin.Requests("/f"));
    }

    [Fact]
    public async Task ALastModifiedWithinAMinuteOfDate_IsNoStrongValidator_ThePartIsNotStored()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/f", Ranges(("Cache-Control", "max-age=60"), ("Last-Modified", Http.Date(host.Time.GetUtcNow().AddSeconds(-5)))));

        using var first = await host.GetAsync("/f", ("Range", "bytes=0-9"));
        using var second = await host.GetAsync("/f", ("Range", "bytes=0-9"));

        Assert.DoesNotContain("stored", first.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, host.Origin.Requests("/f"));
    }

    [Fact]
    public async Task MultipartByteranges_IsPassedOnAndNotStored_Section3_3()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/f", (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ETag = "\"a\"";
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentType = "multipart/byteranges; boundary=B";
            return context.Response.WriteWithLengthAsync("--B\r\nContent-Range: bytes 0-0/36\r\n\r\na\r\n--B\r\nContent-Range: bytes 2-2/36\r\n\r\nc\r\n--B--\r\n");
        });

        using var first = await host.GetAsync("/f", ("Range", "bytes=0-0,2-2"));
        using var second = await host.GetAsync("/f", ("Range", "bytes=0-0,2-2"));

        Assert.Equal(HttpStatusCode.PartialContent, second.StatusCode);
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=206", second.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/f"));
    }

    [Fact]
    public async Task HeadWhileOnlyPartsAreStored_IsForwarded_AndLeavesTheParts()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/f", Ranges(("Cache-Control", "max-age=60"), ("ETag", "\"a\"")));
        using var part = await host.GetAsync("/f", ("Range", "bytes=0-9"));

        using var head = await host.SendAsync(HttpMethod.Head, "/f");
        using var again = await host.GetAsync("/f", ("Range", "bytes=2-3"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.StartsWith("Gatehouse; fwd=partial; fwd-status=200", head.CacheStatus(), StringComparison.Ordinal);
        Assert.StartsWith("Gatehouse; hit", again.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal("cd", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, host.Origin.Requests("/f"));
    }

    [Fact]
    public async Task StalePartsWithinStaleWhileRevalidate_AreValidatedInLine_WithTheRange_Rfc5861_3()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/f", Ranges(("Cache-Control", "max-age=10, stale-while-revalidate=60"), ("ETag", "\"a\"")));
        using var part = await host.GetAsync("/f", ("Range", "bytes=0-9"));
        host.Time.Advance(TimeSpan.FromSeconds(20));

        using var stale = await host.GetAsync("/f", ("Range", "bytes=0-4"));

        Assert.Equal(HttpStatusCode.PartialContent, stale.StatusCode);
        Assert.Equal("abcde", await stale.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("Gatehouse; fwd=stale; fwd-status=304", stale.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal("bytes=0-4", host.Origin.RequestHeaders("/f", 2).Range.ToString());
        Assert.Equal("\"a\"", host.Origin.RequestHeaders("/f", 2).IfNoneMatch.ToString());
    }

    /// <summary>An origin handler for <see cref="Content"/> answering one range (206) or the whole (200), and a matching If-None-Match with 304.</summary>
    private static Func<HttpContext, int, Task> Ranges(params (string Name, string Value)[] fields) => (context, _) =>
    {
        var response = context.Response;
        foreach (var (name, value) in fields)
        {
            response.Headers[name] = value;
        }
        if (fields.Any(f => f.Name == "ETag" && f.Value == context.Request.Headers.IfNoneMatch))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        var match = SingleRange().Match(context.Request.Headers.Range.ToString());
        if (!match.Success)
        {
            return response.WriteWithLengthAsync(Content);
        }
        var first = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var last = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.Headers.ContentRange = $"bytes {first}-{last}/{Content.Length}";
        return response.WriteWithLengthAsync(Content[first..(last + 1)]);
    };

    [GeneratedRegex(@"^bytes=(\d+)-(\d+)$")]
    private static partial Regex SingleRange();
}
