using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>What a hit sends of a stored header section, derived once per entry (issue 14 item 5).</summary>
public class StoredResponseHeadTests
{
    private static CachedResponse Entry(params (string Name, string Value)[] headers) => new()
    {
        Key = "http://a/",
        Target = "http://a/",
        VaryKey = "",
        StatusCode = 200,
        Headers = CachedResponse.FreezeHeaders(Http.Headers(headers)),
        Body = new byte[] { 1, 2, 3 },
        Freshness = Http.Stored(60),
    };

    [Fact]
    public void Fields_LeaveOut_WhatTheCacheSetsItself_AndItsOwnTargetedField()
    {
        var entry = Entry(
            ("content-type", "text/plain"), ("AGE", "5"), ("Content-Length", "3"),
            ("Gatehouse-Cache-Control", "max-age=9"), ("X-Other", "1"));

        var head = StoredResponseHead.Of(entry, "gatehouse-cache-control");

        Assert.Equal(["X-Other", "content-type"], head.Fields.Select(f => f.Key).Order(StringComparer.Ordinal));
        Assert.Equal("text/plain", head.Fields.Single(f => f.Key == "content-type").Value);
    }

    [Fact]
    public void Fields_ComeInTheStoredOrder()
    {
        var entry = Entry(("X-C", "1"), ("X-A", "2"), ("X-B", "3"), ("Age", "1"));

        var head = StoredResponseHead.Of(entry, null);

        Assert.Equal(entry.Headers.Keys.Where(k => k != "Age"), head.Fields.Select(f => f.Key));
    }

    [Fact]
    public void KnownNames_AreTheHeaderNamesInstances_OtherSpellingsAreKept()
    {
        // Built at run time, so not interned by the compiler: only the lookup can make them the same instance.
        var contentType = string.Concat("Content-", "Type");
        var entry = Entry((contentType, "text/plain"), ("etag", "\"1\""));

        var head = StoredResponseHead.Of(entry, null);

        Assert.Same(HeaderNames.ContentType, head.Fields.Single(f => f.Key == "Content-Type").Key);
        Assert.Contains(head.Fields, f => f.Key == "etag"); // RFC names are case-insensitive, but the spelling sent stays the backend's
    }

    [Fact]
    public void NotModifiedFields_AreThoseOfA304()
    {
        var entry = Entry(("ETag", "\"1\""), ("Cache-Control", "max-age=60"), ("Content-Type", "text/plain"), ("Vary", "Accept"));

        var head = StoredResponseHead.Of(entry, null);

        Assert.Equal(["Cache-Control", "ETag", "Vary"], head.NotModifiedFields.Select(f => f.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Of_ReusesTheHead_ForTheSameHeaders_AndRoute()
    {
        var entry = Entry(("ETag", "\"1\""));

        var head = StoredResponseHead.Of(entry, null);

        Assert.Same(head, StoredResponseHead.Of(entry, null));
        Assert.Same(head.View, StoredResponseHead.Of(entry, null).View);
    }

    [Fact]
    public void Of_DerivesAgain_ForNewHeaders_OrAnotherOwnField()
    {
        var entry = Entry(("ETag", "\"1\""), ("X-Own", "max-age=1"));
        var head = StoredResponseHead.Of(entry, null);
        // A validation stores a copy with merged fields; the copy shares the slot (record `with`).
        var freshened = entry with { Headers = CachedResponse.FreezeHeaders(Http.Headers(("ETag", "\"2\""))) };

        var headOfCopy = StoredResponseHead.Of(freshened, null);
        var otherRoute = StoredResponseHead.Of(entry, "X-Own");

        Assert.NotSame(head, headOfCopy);
        Assert.Equal("\"2\"", headOfCopy.Fields.Single().Value);
        Assert.DoesNotContain(otherRoute.Fields, f => f.Key == "X-Own");
        Assert.Contains(head.Fields, f => f.Key == "X-Own");
    }

    [Fact]
    public void Age_IsFormattedOncePerSecond()
    {
        var head = StoredResponseHead.Of(Entry(), null);

        // Above 300: the runtime keeps the strings of small numbers, which would make any two the same instance.
        var first = head.Age(TimeSpan.FromSeconds(1007.1));
        var sameSecond = head.Age(TimeSpan.FromSeconds(1007.9));
        var next = head.Age(TimeSpan.FromSeconds(1008));

        Assert.Equal("1007", first);
        Assert.Same(first, sameSecond);
        Assert.Equal("1008", next);
        Assert.Equal(ResponseAge.ToHeaderValue(TimeSpan.FromDays(1000)), head.Age(TimeSpan.FromDays(1000)));
    }

    [Theory]
    [InlineData("Gatehouse", null, 50.5, null)]
    [InlineData("Gatehouse", "http://a/", 3, null)]
    [InlineData("My Cache", null, -4.2, "stale-while-revalidate")]
    [InlineData("Gatehouse", null, 0, null)]
    public void HitStatus_IsTheCacheStatusMemberOfAHit(string cacheName, string? key, double ttlSeconds, string? detail)
    {
        var head = StoredResponseHead.Of(Entry(), null);
        var ttl = TimeSpan.FromSeconds(ttlSeconds);

        var expected = new CacheStatus(cacheName) { Hit = true, TimeToLive = ttl, Key = key, Detail = detail }.ToString();

        Assert.Equal(expected, head.HitStatus(cacheName, key, ttl, detail));
    }

    [Fact]
    public void HitStatus_IsFormattedAgain_OnlyWhenWhatItSaysChanges()
    {
        var head = StoredResponseHead.Of(Entry(), null);

        var first = head.HitStatus("Gatehouse", null, TimeSpan.FromSeconds(50.9), null);

        Assert.Same(first, head.HitStatus("Gatehouse", null, TimeSpan.FromSeconds(50.1), null));
        Assert.Equal("Gatehouse; hit; ttl=49", head.HitStatus("Gatehouse", null, TimeSpan.FromSeconds(49.9), null));
        Assert.Equal("Gatehouse; hit; ttl=49; detail=stale-while-revalidate", head.HitStatus("Gatehouse", null, TimeSpan.FromSeconds(49.9), "stale-while-revalidate"));
        Assert.Equal("Other; hit; ttl=49", head.HitStatus("Other", null, TimeSpan.FromSeconds(49.9), null));
        Assert.Equal("Other; hit; ttl=49; key=\"k\"", head.HitStatus("Other", "k", TimeSpan.FromSeconds(49.9), null));
    }

    [Fact]
    public void DerivedState_IsNotPartOfTheRecordsValue()
    {
        var headers = CachedResponse.FreezeHeaders(Http.Headers(("ETag", "\"1\"")));
        var freshness = Http.Stored(60);
        var body = new byte[] { 1 };
        CachedResponse Make() => new() { Key = "k", Target = "t", VaryKey = "", StatusCode = 200, Headers = headers, Body = body, Freshness = freshness };
        var a = Make();
        var b = Make();

        StoredResponseHead.Of(a, null);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void StoredValues_AreSentAsTheyAre_SeveralLinesIncluded()
    {
        var entry = new CachedResponse
        {
            Key = "k",
            Target = "t",
            VaryKey = "",
            StatusCode = 200,
            Headers = CachedResponse.FreezeHeaders([new("Set-Cookie", new StringValues(["a=1", "b=2"]))]),
            Body = Array.Empty<byte>(),
            Freshness = Http.Stored(60),
        };

        var field = StoredResponseHead.Of(entry, null).Fields.Single();

        Assert.Equal(["a=1", "b=2"], field.Value.ToArray());
    }
}
