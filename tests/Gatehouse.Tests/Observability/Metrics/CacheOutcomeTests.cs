using Gatehouse.Observability.Metrics;

namespace Gatehouse.Tests.Observability.Metrics;

public class CacheOutcomeTests
{
    [Theory]
    [InlineData("Gatehouse; hit; ttl=376", "hit", false)]
    [InlineData("Gatehouse; hit; ttl=-3; detail=stale-while-revalidate", "stale", false)]
    [InlineData("Gatehouse; fwd=stale; fwd-status=200; detail=stale-if-error", "stale", false)]
    [InlineData("Gatehouse; fwd=uri-miss; fwd-status=200; stored", "miss", true)]
    [InlineData("Gatehouse; fwd=vary-miss; fwd-status=200", "miss", false)]
    [InlineData("Gatehouse; fwd=uri-miss; fwd-status=200; collapsed; ttl=60", "collapsed", false)]
    [InlineData("Gatehouse; fwd=uri-miss; fwd-status=200; collapsed=?0; stored", "miss", true)]
    [InlineData("Gatehouse; fwd=stale; fwd-status=304; stored", "revalidation", true)]
    [InlineData("Gatehouse; fwd=request; fwd-status=200", "revalidation", false)]
    [InlineData("Gatehouse; fwd=bypass", "bypass", false)]
    [InlineData("Gatehouse; fwd=method; fwd-status=201", "bypass", false)]
    [InlineData("OriginCache; hit, Gatehouse; fwd=uri-miss; fwd-status=200", "miss", false)]
    public void Classify_ReadsGatehousesOwnMember(string field, string outcome, bool stored) =>
        Assert.Equal((outcome, stored), CacheOutcome.Classify(field, "Gatehouse"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("OriginCache; hit")]
    [InlineData("Gatehouse")]
    [InlineData("Gatehouse; hit, OriginCache; fwd=miss")]
    public void Classify_AnotherCachesMemberOrNone_IsNoOutcome(string? field) =>
        Assert.Null(CacheOutcome.Classify(field, "Gatehouse").Outcome);

    [Fact]
    public void Classify_UnknownForwardReason_IsOther_SoLabelsStayBounded() =>
        Assert.Equal("other", CacheOutcome.Classify("Gatehouse; fwd=\"made-up\"", "Gatehouse").Outcome);
}
