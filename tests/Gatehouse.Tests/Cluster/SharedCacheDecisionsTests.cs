using Gatehouse.Caching;
using Gatehouse.Cluster;
using Gatehouse.Cluster.Caching;

namespace Gatehouse.Tests.Cluster;

public class SharedCacheDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 1, 0, 0, TimeSpan.Zero);

    private static Freshness Fresh(TimeSpan lifetime, TimeSpan age = default) => new()
    {
        ResponseTime = Now - age,
        CorrectedInitialAge = TimeSpan.Zero,
        Lifetime = lifetime,
    };

    [Fact]
    public void TimeToKeep_IsTheRemainingFreshness()
    {
        Assert.Equal(TimeSpan.FromSeconds(50), SharedEntryLifetime.TimeToKeep(Fresh(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10)), Now));
    }

    [Fact]
    public void TimeToKeep_AddsTheLongerOfTheStaleWindows()
    {
        var freshness = Fresh(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10)) with
        {
            StaleWhileRevalidate = TimeSpan.FromSeconds(30),
            StaleIfError = TimeSpan.FromSeconds(300),
        };

        Assert.Equal(TimeSpan.FromSeconds(350), SharedEntryLifetime.TimeToKeep(freshness, Now));
    }

    [Fact]
    public void TimeToKeep_StaleWindowsDoNotCount_WhenStaleIsForbidden()
    {
        var freshness = Fresh(TimeSpan.FromSeconds(60)) with { StaleIfError = TimeSpan.FromSeconds(300), ForbidsStale = true };

        Assert.Equal(TimeSpan.FromSeconds(60), SharedEntryLifetime.TimeToKeep(freshness, Now));
    }

    [Fact]
    public void NoCacheOrExpiredEntries_AreNotShared()
    {
        Assert.True(SharedEntryLifetime.TimeToKeep(Fresh(TimeSpan.FromSeconds(60)) with { RequiresValidation = true }, Now) <= TimeSpan.Zero);
        Assert.False(SharedEntryLifetime.IsServable(Fresh(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(61)), Now));
        Assert.True(SharedEntryLifetime.IsServable(Fresh(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(59)), Now));
    }

    [Theory]
    [InlineData(CacheRemovalKind.Target, "http://shop.example/a?b=1", "")]
    [InlineData(CacheRemovalKind.TargetPrefix, "http://shop.example/docs/", "")]
    [InlineData(CacheRemovalKind.Tag, "product-42", "")]
    [InlineData(CacheRemovalKind.Variant, "http://shop.example/a", "accept-encoding=gzip")]
    public void Removal_RoundTripsThroughItsMessage(CacheRemovalKind kind, string value, string varyKey)
    {
        var removal = new CacheRemoval(kind, value, varyKey);

        var parsed = CacheRemoval.TryParse(removal.Encode("node1"));

        Assert.Equal(("node1", removal), parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v2\nnode\nTag\nx")]
    [InlineData("v1\nnode\nSomething\nx")]
    [InlineData("v1\nnode\n7\nx")]
    [InlineData("v1\nnode\nTag")]
    [InlineData("v1\nnode\nTag\nx\nextra")]
    [InlineData("v1\nnode\nVariant\nkey")]
    public void OtherMessages_AreIgnored(string? message)
    {
        Assert.Null(CacheRemoval.TryParse(message));
    }

    [Fact]
    public void TargetPattern_EscapesGlobCharacters_AndKeepsThePrefix()
    {
        var layout = new RedisCacheLayout(new ClusterKeys("gh:"));

        Assert.Equal(@"gh:cache:t:http://shop.example/\[a\]\*\?\\*", layout.TargetPattern(@"http://shop.example/[a]*?\").ToString());
    }
}
