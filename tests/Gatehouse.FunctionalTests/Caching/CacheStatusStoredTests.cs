using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Caching;

/// <summary>
/// RFC 9211 §2.5 through a real Gatehouse: Cache-Status says <c>stored</c> only for a response that is stored — the
/// next request for it is a hit. What can only be known after the header section went out is in docs/caching.md. A
/// purge that wins over the fetch is <see cref="ProxyCacheTests.PurgeDuringAnInFlightFetch_Wins_TheNextRequestIsAMiss"/>.
/// </summary>
public sealed class CacheStatusStoredTests
{
    [Fact]
    public async Task ContentLengthThatFits_SaysStored_AndTheNextRequestIsAHit()
    {
        await using var origin = await StartOriginAsync(bodyLength: 100, sendLength: true);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin, ", \"cache\": { \"maxEntryBytes\": \"1KB\" }"));

        using var miss = await proxy.Client.GetAsync("/fits");
        using var hit = await proxy.Client.GetAsync("/fits");

        Assert.Equal(["fwd=uri-miss", "fwd-status=200", "stored", "ttl"], Parameters(miss));
        Assert.Equal("hit", Parameters(hit)[0]);
        Assert.Equal(1, origin.Requests);
    }

    // 1000 bytes fit under a 1 KB limit as a body, but not with the entry's header fields and overhead: the store
    // refuses the entry, so the header section must not say it stored it. 4096 is plainly too large.
    [Theory]
    [InlineData(1000)]
    [InlineData(4096)]
    public async Task ContentLengthTheStoreCannotTake_IsNotSaidStored_AndTheNextRequestMissesAgain(int bodyLength)
    {
        await using var origin = await StartOriginAsync(bodyLength, sendLength: true);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin, ", \"cache\": { \"maxEntryBytes\": \"1KB\" }"));

        using var first = await proxy.Client.GetAsync("/big");
        using var second = await proxy.Client.GetAsync("/big");

        Assert.Equal(bodyLength, (await first.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(["fwd=uri-miss", "fwd-status=200"], Parameters(first));
        Assert.Equal(["fwd=uri-miss", "fwd-status=200"], Parameters(second));
        Assert.Equal(2, origin.Requests);
    }

    // Without Content-Length the size is known only after the header section went out: the response is stored when
    // it fits, but "stored" is not said up front, where the rest of the body could make it false.
    [Fact]
    public async Task NoContentLength_IsStoredWhenItFits_WithoutSayingStored()
    {
        await using var origin = await StartOriginAsync(bodyLength: 100, sendLength: false);
        await using var proxy = await TestProxy.StartAsync(CachedConfig(origin));

        using var miss = await proxy.Client.GetAsync("/chunked");
        using var hit = await proxy.Client.GetAsync("/chunked");

        Assert.True(miss.Headers.TransferEncodingChunked);
        Assert.Equal(["fwd=uri-miss", "fwd-status=200", "ttl"], Parameters(miss));
        Assert.Equal("hit", Parameters(hit)[0]);
        Assert.Equal(1, origin.Requests);
    }

    private static string CachedConfig(TestBackend backend, string rootExtra = "") =>
        Configs.SingleCluster(Configs.Destinations(backend), routeExtra: ", \"cache\": { \"enabled\": true }", rootExtra: rootExtra);

    private static Task<TestBackend> StartOriginAsync(int bodyLength, bool sendLength) =>
        TestBackend.StartAsync("origin", async context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            if (sendLength)
            {
                context.Response.ContentLength = bodyLength;
            }
            // In two writes with a flush between: without a Content-Length, Kestrel then sends it chunked.
            await context.Response.Body.WriteAsync(new byte[bodyLength / 2]);
            await context.Response.Body.FlushAsync();
            await context.Response.Body.WriteAsync(new byte[bodyLength - bodyLength / 2]);
        });

    /// <summary>
    /// The parameters of Gatehouse's Cache-Status member (the last one), in order; <c>ttl</c> without its value, which
    /// depends on when in its second the backend's Date was taken.
    /// </summary>
    private static string[] Parameters(HttpResponseMessage response)
    {
        var member = response.Headers.GetValues("Cache-Status").Last();
        Assert.StartsWith("Gatehouse;", member, StringComparison.Ordinal);
        return [.. member.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(p => p.StartsWith("ttl=", StringComparison.Ordinal) ? "ttl" : p)];
    }
}
