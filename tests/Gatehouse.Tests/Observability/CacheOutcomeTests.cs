using Gatehouse.Observability;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Tests.Observability;

public class CacheOutcomeTests
{
    [Theory]
    [InlineData("Gatehouse; hit; ttl=376", "hit")]
    [InlineData("Gatehouse; hit; ttl=-3", "stale")]
    [InlineData("Gatehouse; fwd=uri-miss; fwd-status=200; stored", "miss")]
    [InlineData("Gatehouse; fwd=vary-miss; fwd-status=200", "miss")]
    [InlineData("Gatehouse; fwd=stale; fwd-status=304; ttl=60", "revalidated")]
    [InlineData("Gatehouse; fwd=stale; fwd-status=200; stored", "expired")]
    [InlineData("Gatehouse; fwd=method; fwd-status=201", "bypass")]
    [InlineData("Gatehouse; fwd=request; fwd-status=200", "bypass")]
    [InlineData("Gatehouse; fwd=uri-miss; key=\"GET; hit\"", "miss")]
    [InlineData("OriginCache; hit", null)]
    [InlineData("GatehouseX; hit", null)]
    public void TheLastMember_ByThisCachesName_SaysWhatItDid(string member, string? expected)
    {
        Assert.Equal(expected, CacheOutcome.FromCacheStatus(new StringValues(member), "Gatehouse"));
    }

    [Fact]
    public void AnUpstreamCachesMember_BeforeThisOne_IsNotRead()
    {
        Assert.Equal("miss", CacheOutcome.FromCacheStatus(new StringValues(["Origin; hit", "Gatehouse; fwd=uri-miss"]), "Gatehouse"));
        Assert.Null(CacheOutcome.FromCacheStatus(new StringValues(["Gatehouse; hit", "Origin; hit"]), "Gatehouse"));
        Assert.Null(CacheOutcome.FromCacheStatus(StringValues.Empty, "Gatehouse"));
    }
}
