using System.Net;
using Gatehouse.Configuration;
using Gatehouse.TrafficShaping;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.TrafficShaping;

public sealed class SplitDecisionTests
{
    private static RouteSplit Split(string? key = null, params SplitOverrideDefinition[] overrides) => RouteSplit.From(new RouteDefinition
    {
        ClusterId = "stable",
        Split = [new SplitTargetDefinition { Cluster = "stable", Weight = 90 }, new SplitTargetDefinition { Cluster = "canary", Weight = 10 }],
        SplitKey = key,
        SplitOverrides = overrides,
    })!;

    private static DefaultHttpContext Request(Action<HttpRequest>? setup = null)
    {
        var context = new DefaultHttpContext();
        setup?.Invoke(context.Request);
        return context;
    }

    [Fact]
    public void Choose_Random_90To10_Over10000Requests_WithinTwoPercent()
    {
        var split = Split();
        var random = new Random(1234);
        var canary = Enumerable.Range(0, 10_000).Count(_ => SplitDecision.Choose(split, Request(), random) == "canary");
        Assert.InRange(canary, 800, 1200);
    }

    [Fact]
    public void Choose_StickyByHeader_10000DistinctKeys_WithinTwoPercent_AndStable()
    {
        var split = Split("header:X-User");
        var canary = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var context = Request(r => r.Headers["X-User"] = $"user-{i}");
            var first = SplitDecision.Choose(split, context, new Random(i));
            Assert.Equal(first, SplitDecision.Choose(split, context, new Random(i + 1)));
            canary += first == "canary" ? 1 : 0;
        }

        Assert.InRange(canary, 800, 1200);
    }

    [Fact]
    public void Choose_StickyByClientAddress_SameAddressSameCluster_WhateverTheDraw()
    {
        var split = Split("ip");
        var context = Request();
        context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.7");
        var chosen = Enumerable.Range(0, 100).Select(i => SplitDecision.Choose(split, context, new Random(i))).Distinct();
        Assert.Single(chosen);
    }

    [Fact]
    public void Choose_StickyKeyAbsent_IsDrawn()
    {
        var split = Split("cookie:session");
        var chosen = Enumerable.Range(0, 200).Select(i => SplitDecision.Choose(split, Request(), new Random(i))).ToHashSet();
        Assert.Equal(2, chosen.Count);
    }

    [Fact]
    public void StableHash_IsTheSameAcrossProcesses()
    {
        // Fixed values: a Gatehouse restarted, or another instance, puts the same key in the same bucket.
        Assert.Equal(SplitDecision.StableHash("user-1"), SplitDecision.StableHash("user-1"));
        Assert.Equal(17665956581633026203UL, SplitDecision.StableHash(""));
    }

    [Theory]
    [InlineData(0, "stable")]
    [InlineData(89, "stable")]
    [InlineData(90, "canary")]
    [InlineData(99, "canary")]
    public void ClusterForBucket_FollowsTheCumulativeWeights(long bucket, string expected) =>
        Assert.Equal(expected, SplitDecision.ClusterForBucket(Split(), bucket));

    [Fact]
    public void ZeroWeight_NeverChosen()
    {
        var split = RouteSplit.From(new RouteDefinition
        {
            Split = [new SplitTargetDefinition { Cluster = "off", Weight = 0 }, new SplitTargetDefinition { Cluster = "on", Weight = 5 }],
        })!;
        var random = new Random(7);
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal("on", SplitDecision.Choose(split, Request(), random)));
    }

    [Fact]
    public void Override_HeaderWithValue_PicksItsCluster_OtherValuesDoNot()
    {
        var split = Split(null, new SplitOverrideDefinition { Header = "X-Canary", Value = "always", Cluster = "canary" });
        Assert.Equal("canary", SplitDecision.Override(split, Request(r => r.Headers["X-Canary"] = "ALWAYS")));
        Assert.Null(SplitDecision.Override(split, Request(r => r.Headers["X-Canary"] = "never")));
        Assert.Null(SplitDecision.Override(split, Request()));
    }

    [Fact]
    public void Override_CookieNamingACluster_OnlyTheSplitsOwn()
    {
        var split = Split(null, new SplitOverrideDefinition { Cookie = "gh_cluster" });
        Assert.Equal("canary", SplitDecision.Override(split, Request(r => r.Headers.Cookie = "a=b; gh_cluster=canary")));
        Assert.Null(SplitDecision.Override(split, Request(r => r.Headers.Cookie = "gh_cluster=admin")));
    }

    [Fact]
    public void Override_FirstMatchWins_AndBeatsTheStickyKey()
    {
        var split = Split("header:X-User",
            new SplitOverrideDefinition { Header = "X-Canary", Cluster = "canary" },
            new SplitOverrideDefinition { Header = "X-Stable", Cluster = "stable" });
        var context = Request(r =>
        {
            r.Headers["X-Canary"] = "1";
            r.Headers["X-Stable"] = "1";
            r.Headers["X-User"] = "someone";
        });
        Assert.Equal("canary", SplitDecision.Choose(split, context, new Random(1)));
    }

    [Theory]
    [InlineData("ip", SplitKeySource.ClientAddress, "")]
    [InlineData("IP", SplitKeySource.ClientAddress, "")]
    [InlineData("header:X-User", SplitKeySource.Header, "X-User")]
    [InlineData("cookie:session", SplitKeySource.Cookie, "session")]
    public void SplitKey_Parses(string text, SplitKeySource source, string name)
    {
        Assert.True(SplitKey.TryParse(text, out var key));
        Assert.Equal(new SplitKey(source, name), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("header:")]
    [InlineData("query:x")]
    [InlineData("path")]
    public void SplitKey_RefusesOthers(string text) => Assert.False(SplitKey.TryParse(text, out _));
}
