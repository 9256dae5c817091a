using Gatehouse.Caching.Storage;
using static Gatehouse.Caching.Tests.Storage.StoredResponses;

namespace Gatehouse.Caching.Tests.Storage;

/// <summary>What every <see cref="IHttpCacheStore"/> promises, for each store.</summary>
public class HttpCacheStoreContractTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task Get_UnknownKey_IsEmpty(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);

        Assert.Empty(await subject.Store.GetAsync("https://example.com/none", Token));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task Set_ThenGet_GivesTheResponseBack(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);
        var response = Response("https://example.com/a", "accept-encoding=gzip", bodyBytes: 1000, tags: ["t1", "t2"], seed: 7);

        Assert.True(await subject.Store.SetAsync(response, Token));

        var found = Assert.Single(await subject.Store.GetAsync(response.Key, Token));
        AssertSame(response, found);
        Assert.Equal(1, subject.Store.Statistics.Entries);
        Assert.True(subject.Store.Statistics.Bytes > 0);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task Variants_OfOneKey_AreKeptSideBySide(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);
        var key = "https://example.com/a";

        await subject.Store.SetAsync(Response(key, "accept-encoding=gzip", seed: 1), Token);
        await subject.Store.SetAsync(Response(key, "accept-encoding=br", seed: 2), Token);
        await subject.Store.SetAsync(Response(key, "accept-encoding", seed: 3), Token);

        var variants = await VariantsAsync(subject.Store, key);
        Assert.Equal(["accept-encoding", "accept-encoding=br", "accept-encoding=gzip"], variants.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Body(100, 2), variants["accept-encoding=br"].Body.ToArray());
        Assert.Equal(3, subject.Store.Statistics.Entries);
    }

    // RFC 9111 §4.1 via issue 3: replacing one variant must not throw away the others.
    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task ReplacingAVariant_KeepsTheOthers(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);
        var key = "https://example.com/a";
        await subject.Store.SetAsync(Response(key, "v=1", seed: 1), Token);
        await subject.Store.SetAsync(Response(key, "v=2", seed: 2), Token);
        var bytesBefore = subject.Store.Statistics.Bytes;

        await subject.Store.SetAsync(Response(key, "v=1", seed: 9), Token);

        var variants = await VariantsAsync(subject.Store, key);
        Assert.Equal(2, variants.Count);
        Assert.Equal(Body(100, 9), variants["v=1"].Body.ToArray());
        Assert.Equal(Body(100, 2), variants["v=2"].Body.ToArray());
        Assert.Equal(2, subject.Store.Statistics.Entries);
        Assert.Equal(bytesBefore, subject.Store.Statistics.Bytes);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task Set_LargerThanMaxEntryBytes_IsRefused(StoreKind kind)
    {
        var fits = Response("https://example.com/fits", bodyBytes: 100);
        var tooLarge = Response("https://example.com/large", bodyBytes: 101);
        await using var subject = new StoreUnderTest(kind, maxBytes: 1 << 20, maxEntryBytes: fits.Size);

        Assert.Equal(fits.Size, subject.Store.MaxEntryBytes);
        Assert.True(await subject.Store.SetAsync(fits, Token));
        Assert.False(await subject.Store.SetAsync(tooLarge, Token));

        Assert.Empty(await subject.Store.GetAsync(tooLarge.Key, Token));
        Assert.Equal(1, subject.Store.Statistics.Entries);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task Remove_TakesOneVariantAwayAtOnce(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);
        var key = "https://example.com/a";
        await subject.Store.SetAsync(Response(key, "v=1"), Token);
        await subject.Store.SetAsync(Response(key, "v=2"), Token);

        Assert.True(await subject.Store.RemoveAsync(key, "v=1", Token));

        Assert.Equal(["v=2"], (await VariantsAsync(subject.Store, key)).Keys);
        Assert.False(await subject.Store.RemoveAsync(key, "v=1", Token));
        Assert.Equal(1, subject.Store.Statistics.Entries);
    }

    // RFC 9111 §4.4 and purge by URL: every variant of every key with the target (keys that add request headers too).
    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task RemoveTarget_RemovesEveryKeyAndVariantOfTheTarget(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);
        var target = "https://example.com/a";
        await subject.Store.SetAsync(Response(target, "v=1"), Token);
        await subject.Store.SetAsync(Response(target, "v=2"), Token);
        await subject.Store.SetAsync(Response(target + " header:x-tenant=1", target: target), Token);
        await subject.Store.SetAsync(Response(target + "?page=2"), Token);

        Assert.Equal(3, await subject.Store.RemoveTargetAsync(target, Token));

        Assert.Empty(await subject.Store.GetAsync(target, Token));
        Assert.Empty(await subject.Store.GetAsync(target + " header:x-tenant=1", Token));
        Assert.Single(await subject.Store.GetAsync(target + "?page=2", Token));
        Assert.Equal(0, await subject.Store.RemoveTargetAsync(target, Token));
        Assert.Equal(1, subject.Store.Statistics.Entries);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task RemoveTargetPrefix_RemovesTargetsStartingWithIt_Ordinally(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);
        string[] under = ["https://example.com/api/a", "https://example.com/api/b?x=1", "https://example.com/api/"];
        string[] outside = ["https://example.com/API/c", "https://example.com/ap", "https://example.org/api/a"];
        foreach (var key in under.Concat(outside))
        {
            await subject.Store.SetAsync(Response(key), Token);
        }

        Assert.Equal(3, await subject.Store.RemoveTargetPrefixAsync("https://example.com/api/", Token));

        foreach (var key in under)
        {
            Assert.Empty(await subject.Store.GetAsync(key, Token));
        }

        foreach (var key in outside)
        {
            Assert.Single(await subject.Store.GetAsync(key, Token));
        }
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Disk)]
    [InlineData(StoreKind.Tiered)]
    public async Task RemoveTag_RemovesTheEntriesCarryingIt(StoreKind kind)
    {
        await using var subject = new StoreUnderTest(kind);
        await subject.Store.SetAsync(Response("https://example.com/a", "v=1", tags: ["product-1", "catalog"]), Token);
        await subject.Store.SetAsync(Response("https://example.com/a", "v=2", tags: ["catalog"]), Token);
        await subject.Store.SetAsync(Response("https://example.com/b", tags: ["product-1"]), Token);
        await subject.Store.SetAsync(Response("https://example.com/c", tags: ["Product-1"]), Token);

        Assert.Equal(2, await subject.Store.RemoveTagAsync("product-1", Token));

        Assert.Equal(["v=2"], (await VariantsAsync(subject.Store, "https://example.com/a")).Keys);
        Assert.Empty(await subject.Store.GetAsync("https://example.com/b", Token));
        Assert.Single(await subject.Store.GetAsync("https://example.com/c", Token));
        Assert.Equal(0, await subject.Store.RemoveTagAsync("product-1", Token));
        Assert.Equal(1, await subject.Store.RemoveTagAsync("catalog", Token));
        Assert.Equal(1, subject.Store.Statistics.Entries);
    }
}
