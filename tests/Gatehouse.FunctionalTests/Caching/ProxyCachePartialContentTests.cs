using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Caching;

/// <summary>
/// RFC 9111 §3.3 and §3.4 in a real Gatehouse in front of a Kestrel backend that answers ranges: 206 responses are
/// stored as parts, answer the ranges they cover, combine under one strong validator and become a whole 200.
/// </summary>
public sealed partial class ProxyCachePartialContentTests
{
    private const string Admin = ", \"admin\": { \"port\": 0 }";

    [Fact]
    public async Task RangeMiss_IsStored_ThenTheSameRangeIsAHit_Section3_3()
    {
        var origin = new RangeOrigin();
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));

        using var miss = await GetAsync(proxy, (10, 29));
        using var hit = await GetAsync(proxy, (10, 29));
        using var inside = await GetAsync(proxy, (12, 15));

        Assert.Equal(HttpStatusCode.PartialContent, miss.StatusCode);
        Assert.Contains("fwd=uri-miss", CacheStatus(miss), StringComparison.Ordinal);
        Assert.Contains("stored", CacheStatus(miss), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PartialContent, hit.StatusCode);
        Assert.StartsWith("Gatehouse; hit", CacheStatus(hit), StringComparison.Ordinal);
        Assert.Equal("bytes 10-29/100", hit.Content.Headers.ContentRange?.ToString());
        Assert.Equal(20, hit.Content.Headers.ContentLength);
        Assert.True(hit.Headers.Age.HasValue);
        Assert.Equal(origin.Slice(10, 29), await hit.Content.ReadAsStringAsync());
        Assert.Equal("bytes 12-15/100", inside.Content.Headers.ContentRange?.ToString());
        Assert.Equal(origin.Slice(12, 15), await inside.Content.ReadAsStringAsync());
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task TwoHalves_MakeTheWhole_AndAFullGetIsAHit_Section3_4()
    {
        var origin = new RangeOrigin();
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));

        using var first = await GetAsync(proxy, (0, 49));
        using var second = await GetAsync(proxy, (50, 99));
        using var whole = await GetAsync(proxy, null);
        using var across = await GetAsync(proxy, (40, 59));

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.StartsWith("Gatehouse; hit", CacheStatus(whole), StringComparison.Ordinal);
        Assert.Equal(origin.Slice(0, 99), await whole.Content.ReadAsStringAsync());
        Assert.Equal(100, whole.Content.Headers.ContentLength);
        Assert.Equal("\"v1\"", whole.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.PartialContent, across.StatusCode);
        Assert.Equal(origin.Slice(40, 59), await across.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Requests);
    }

    [Fact]
    public async Task RangeOutsideTheStoredParts_GoesToTheOrigin_AndIsCombined_Section3_4()
    {
        var origin = new RangeOrigin();
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));

        using var first = await GetAsync(proxy, (0, 9));
        using var outside = await GetAsync(proxy, (20, 29));
        using var spanning = await GetAsync(proxy, (5, 25)); // over the gap between the parts
        Assert.Equal(3, backend.Requests);
        Assert.Contains("fwd=partial", CacheStatus(outside), StringComparison.Ordinal);
        Assert.Equal(origin.Slice(20, 29), await outside.Content.ReadAsStringAsync());
        Assert.Equal(["bytes=0-9", "bytes=20-29", "bytes=5-25"], origin.Ranges); // the client's range, as it was

        using var again = await GetAsync(proxy, (0, 29)); // 0-29 is held now: 0-9, 5-25 and 20-29 combined
        Assert.StartsWith("Gatehouse; hit", CacheStatus(again), StringComparison.Ordinal);
        Assert.Equal(origin.Slice(0, 29), await again.Content.ReadAsStringAsync());
        Assert.Equal(3, backend.Requests);
    }

    [Fact]
    public async Task ChangedETag_ReplacesTheStoredParts_Section3_4()
    {
        var origin = new RangeOrigin();
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));

        using var oldPart = await GetAsync(proxy, (0, 49));
        origin.Change("\"v2\"");
        using var newPart = await GetAsync(proxy, (50, 99));
        Assert.Equal(origin.Slice(50, 99), await newPart.Content.ReadAsStringAsync());

        // The v1 part is gone rather than combined with v2 bytes: its range goes to the origin again.
        using var refetched = await GetAsync(proxy, (0, 49));
        Assert.Contains("fwd=partial", CacheStatus(refetched), StringComparison.Ordinal);
        Assert.Equal(origin.Slice(0, 49), await refetched.Content.ReadAsStringAsync());
        Assert.Equal(3, backend.Requests);

        using var whole = await GetAsync(proxy, null); // both v2 halves: a whole v2 response
        Assert.StartsWith("Gatehouse; hit", CacheStatus(whole), StringComparison.Ordinal);
        Assert.Equal(origin.Slice(0, 99), await whole.Content.ReadAsStringAsync());
        Assert.Equal("\"v2\"", whole.Headers.ETag?.ToString());
        Assert.Equal(3, backend.Requests);
    }

    [Fact]
    public async Task IfRange_MatchingTheParts_IsAHit_AnotherOneGetsTheWholeResponse_Rfc9110_13_1_5()
    {
        var origin = new RangeOrigin();
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));
        using var first = await GetAsync(proxy, (0, 49));

        using var matching = await GetAsync(proxy, (0, 9), ifRange: "\"v1\"");
        Assert.Equal(HttpStatusCode.PartialContent, matching.StatusCode);
        Assert.StartsWith("Gatehouse; hit", CacheStatus(matching), StringComparison.Ordinal);
        Assert.Equal(1, backend.Requests);

        // The client holds another representation: it is due the whole one, which the parts are not.
        using var other = await GetAsync(proxy, (0, 9), ifRange: "\"v0\"");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(origin.Slice(0, 99), await other.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Requests);

        using var whole = await GetAsync(proxy, null); // that 200 was stored whole
        Assert.StartsWith("Gatehouse; hit", CacheStatus(whole), StringComparison.Ordinal);
        Assert.Equal(2, backend.Requests);
    }

    [Fact]
    public async Task FullGet_WhileOnlyPartsAreStored_IsForwarded_AndStoredWhole()
    {
        var origin = new RangeOrigin();
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));
        using var part = await GetAsync(proxy, (0, 9));

        using var miss = await GetAsync(proxy, null);
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Contains("fwd=partial", CacheStatus(miss), StringComparison.Ordinal);
        Assert.Equal(origin.Slice(0, 99), await miss.Content.ReadAsStringAsync());

        using var hit = await GetAsync(proxy, null);
        using var range = await GetAsync(proxy, (90, 99));
        Assert.StartsWith("Gatehouse; hit", CacheStatus(hit), StringComparison.Ordinal);
        Assert.Equal(origin.Slice(90, 99), await range.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Requests);
    }

    [Fact]
    public async Task NoStore206_IsNotStored_Section3()
    {
        var origin = new RangeOrigin { CacheControl = "no-store" };
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));

        using var first = await GetAsync(proxy, (0, 9));
        using var second = await GetAsync(proxy, (0, 9));

        Assert.Equal(HttpStatusCode.PartialContent, second.StatusCode);
        Assert.DoesNotContain("stored", CacheStatus(second), StringComparison.Ordinal);
        Assert.Equal(2, backend.Requests);
    }

    [Fact]
    public async Task WeakETag206_IsNotStored_Section3_4()
    {
        var origin = new RangeOrigin();
        origin.Change("W/\"v1\"");
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));

        using var first = await GetAsync(proxy, (0, 9));
        using var second = await GetAsync(proxy, (0, 9));

        Assert.DoesNotContain("stored", CacheStatus(first), StringComparison.Ordinal);
        Assert.Equal(2, backend.Requests);
    }

    [Fact]
    public async Task StaleParts_AreValidatedWithTheRangeKept_AndA304ServesThem_Section4_3()
    {
        var origin = new RangeOrigin { CacheControl = "max-age=0" };
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend));
        using var first = await GetAsync(proxy, (0, 49));

        using var validated = await GetAsync(proxy, (10, 19));

        Assert.Equal(HttpStatusCode.PartialContent, validated.StatusCode);
        Assert.Equal("bytes 10-19/100", validated.Content.Headers.ContentRange?.ToString());
        Assert.Equal(origin.Slice(10, 19), await validated.Content.ReadAsStringAsync());
        Assert.Contains("fwd=stale; fwd-status=304", CacheStatus(validated), StringComparison.Ordinal);
        Assert.Equal(["bytes=0-49", "bytes=10-19"], origin.Ranges);
        Assert.Equal(["", "\"v1\""], origin.IfNoneMatch);
    }

    [Fact]
    public async Task PurgeAndUnsafeMethods_RemoveStoredParts_Section4_4()
    {
        var origin = new RangeOrigin();
        await using var backend = await TestBackend.StartAsync("origin", origin.HandleAsync);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(backend, Admin));
        using var first = await GetAsync(proxy, (0, 9));

        using (var post = await proxy.Client.PostAsync("/file", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }
        using var afterPost = await GetAsync(proxy, (0, 9));
        Assert.Contains("fwd=uri-miss", CacheStatus(afterPost), StringComparison.Ordinal);
        Assert.Equal(3, backend.Requests);

        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        using var purge = await admin.PostAsync($"/cache/purge?url={Uri.EscapeDataString(new Uri(proxy.Address, "/file").ToString())}", null);
        Assert.Contains("\"purged\": 1", await purge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var afterPurge = await GetAsync(proxy, (0, 9));
        Assert.Contains("fwd=uri-miss", CacheStatus(afterPurge), StringComparison.Ordinal);
        Assert.Equal(4, backend.Requests);
    }

    private static string CachedConfig(TestBackend backend, string rootExtra = "") =>
        Configs.SingleCluster(Configs.Destinations(backend), routeExtra: ", \"cache\": { \"enabled\": true }", rootExtra: rootExtra);

    private static async Task<HttpResponseMessage> GetAsync(TestProxy proxy, (long First, long Last)? range, string? ifRange = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/file");
        if (range is { } r)
        {
            request.Headers.Range = new RangeHeaderValue(r.First, r.Last);
        }
        if (ifRange is not null)
        {
            request.Headers.IfRange = new RangeConditionHeaderValue(EntityTagHeaderValue.Parse(ifRange));
        }
        return await proxy.Client.SendAsync(request);
    }

    private static string CacheStatus(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";

    /// <summary>
    /// An origin of one 100-byte representation per entity tag that answers one range (RFC 9110 §14), If-Range (by
    /// strong comparison) and If-None-Match, and records what each GET asked for.
    /// </summary>
    private sealed partial class RangeOrigin
    {
        private volatile Representation _current = new("\"v1\"", Bytes('a'));
        private readonly ConcurrentQueue<string> _ranges = new();
        private readonly ConcurrentQueue<string> _ifNoneMatch = new();

        public string CacheControl { get; init; } = "max-age=60";

        public string[] Ranges => [.. _ranges];

        public string[] IfNoneMatch => [.. _ifNoneMatch];

        public void Change(string etag) => _current = new Representation(etag, Bytes(etag.Contains("v2", StringComparison.Ordinal) ? 'A' : 'k'));

        public string Slice(int first, int last) => Encoding.ASCII.GetString(_current.Body, first, last - first + 1);

        public async Task HandleAsync(HttpContext context)
        {
            var request = context.Request;
            var response = context.Response;
            if (!HttpMethods.IsGet(request.Method))
            {
                await response.WriteAsync("ok");
                return;
            }
            var current = _current;
            _ranges.Enqueue(request.Headers.Range.ToString());
            _ifNoneMatch.Enqueue(request.Headers.IfNoneMatch.ToString());
            response.Headers.ETag = current.ETag;
            response.Headers.CacheControl = CacheControl;
            if (request.Headers.IfNoneMatch == current.ETag)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            var ifRange = request.Headers.IfRange.ToString();
            var match = SingleRange().Match(request.Headers.Range.ToString());
            var strong = !current.ETag.StartsWith("W/", StringComparison.Ordinal);
            if (match.Success && (ifRange.Length == 0 || (strong && ifRange == current.ETag)))
            {
                var first = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var last = match.Groups[2].Length == 0 ? 99 : Math.Min(99, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = $"bytes {first}-{last}/100";
                response.ContentLength = last - first + 1;
                await response.Body.WriteAsync(current.Body.AsMemory(first, last - first + 1));
                return;
            }
            response.ContentLength = current.Body.Length;
            await response.Body.WriteAsync(current.Body);
        }

        private static byte[] Bytes(char start) => [.. Enumerable.Range(0, 100).Select(i => (byte)(start + (i % 26)))];

        [GeneratedRegex(@"^bytes=(\d+)-(\d*)$")]
        private static partial Regex SingleRange();

        private sealed record Representation(string ETag, byte[] Body);
    }
}
