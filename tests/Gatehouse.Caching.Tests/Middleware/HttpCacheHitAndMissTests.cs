using System.Net;
using Gatehouse.Caching.Middleware;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>Misses, stores and hits through a real Kestrel cache in front of a real origin.</summary>
public class HttpCacheHitAndMissTests
{
    [Fact]
    public async Task Miss_IsStored_ThenHits_WithAgeAndTtl()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60"), ("ETag", "\"v1\"")));

        using var miss = await host.GetAsync("/a");
        Assert.Equal("hello", await miss.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", miss.CacheStatus());

        host.Time.Advance(TimeSpan.FromSeconds(10));
        using var hit = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal("hello", await hit.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("10", hit.Header("Age"));
        Assert.Equal("Gatehouse; hit; ttl=50", hit.CacheStatus());
        Assert.Equal("\"v1\"", hit.Header("ETag"));
        Assert.Equal(5, hit.Content.Headers.ContentLength);
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task UncachedRoute_PassesThroughUntouched_WithoutCacheStatus()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/uncached/a", Responses.Answer("x", ("Cache-Control", "max-age=60")));

        using var first = await host.GetAsync("/uncached/a");
        using var second = await host.GetAsync("/uncached/a");

        Assert.Equal("", second.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/uncached/a"));
    }

    [Fact]
    public async Task NoStore_IsForwardedEveryTime_AndNotMarkedStored()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("x", ("Cache-Control", "no-store")));

        using var first = await host.GetAsync("/a");
        using var second = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200", second.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task ACookieSettingResponse_IsNotStored_SoTheNextClientGetsItsOwn()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("x", ("Cache-Control", "public, max-age=60"), ("Set-Cookie", "sid=first")));

        using var first = await host.GetAsync("/a");
        host.Origin.Map("/a", Responses.Answer("x", ("Cache-Control", "public, max-age=60"), ("Set-Cookie", "sid=second")));
        using var second = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200", first.CacheStatus());
        Assert.Equal(["sid=second"], second.Headers.GetValues("Set-Cookie"));
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task ACookieTheOriginKeepsOutWithNoCache_IsSentOnce_AndTheRestIsStored()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("x", ("Cache-Control", "max-age=60, no-cache=\"Set-Cookie\""), ("Set-Cookie", "sid=first")));

        using var first = await host.GetAsync("/a");
        using var hit = await host.GetAsync("/a");

        Assert.Equal(["sid=first"], first.Headers.GetValues("Set-Cookie"));
        Assert.Equal("Gatehouse; hit; ttl=60", hit.CacheStatus());
        Assert.False(hit.Headers.Contains("Set-Cookie"));
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task HeadRequest_IsAnsweredFromTheStoredGet()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60")));
        using var get = await host.GetAsync("/a");

        using var head = await host.SendAsync(HttpMethod.Head, "/a");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(5, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; hit; ttl=60", head.CacheStatus());
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task HeadMiss_IsForwardedAsHead_AndStoresNothing()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60")));

        using var head = await host.SendAsync(HttpMethod.Head, "/a");
        using var get = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200", head.CacheStatus());
        Assert.Equal("HEAD", host.Origin.RequestMethod("/a", 1));
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", get.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task OnlyIfCached_Miss_Is504_WithoutForwarding()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60")));

        using var response = await host.GetAsync("/a", ("Cache-Control", "only-if-cached"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("Gatehouse; detail=only-if-cached", response.CacheStatus());
        Assert.Equal(0, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task OnlyIfCached_IsAnsweredByAFreshEntry_And504WhenItWouldNeedValidation()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60")));
        using var miss = await host.GetAsync("/a");

        using var fresh = await host.GetAsync("/a", ("Cache-Control", "only-if-cached"));
        host.Time.Advance(TimeSpan.FromSeconds(61));
        using var stale = await host.GetAsync("/a", ("Cache-Control", "only-if-cached"));

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.GatewayTimeout, stale.StatusCode);
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task OnlyIfCached_WithAPreconditionOnlyTheOriginCanEvaluate_Is504_WithoutForwarding()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60"), ("ETag", "\"v1\"")));
        using var miss = await host.GetAsync("/a");

        using var response = await host.GetAsync("/a", ("Cache-Control", "only-if-cached"), ("If-Match", "\"v1\""));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("Gatehouse; detail=only-if-cached", response.CacheStatus());
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task ClientIfNoneMatch_OnAFreshHit_Is304FromTheCache()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60"), ("ETag", "\"v1\"")));
        using var miss = await host.GetAsync("/a");

        using var notModified = await host.GetAsync("/a", ("If-None-Match", "\"v1\""));
        using var changed = await host.GetAsync("/a", ("If-None-Match", "\"v0\""));

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("\"v1\"", notModified.Header("ETag"));
        Assert.Equal("Gatehouse; hit; ttl=60", notModified.CacheStatus());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("hello", await changed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task Range_IsAnsweredFromTheStoredResponse_206And416()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("0123456789", ("Cache-Control", "max-age=60")));
        using var miss = await host.GetAsync("/a");

        using var partial = await host.GetAsync("/a", ("Range", "bytes=2-5"));
        using var suffix = await host.GetAsync("/a", ("Range", "bytes=-3"));
        using var unsatisfiable = await host.GetAsync("/a", ("Range", "bytes=100-"));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("2345", await partial.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("bytes 2-5/10", partial.Header("Content-Range"));
        Assert.Equal("Gatehouse; hit; ttl=60", partial.CacheStatus());
        Assert.Equal("789", await suffix.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */10", unsatisfiable.Header("Content-Range"));
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task Range_OnAMiss_IsPassedToTheOrigin()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", (context, _) =>
        {
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = "bytes 0-1/10";
            return context.Response.WriteAsync("01");
        });

        using var partial = await host.GetAsync("/a", ("Range", "bytes=0-1"));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("bytes=0-1", host.Origin.RequestHeaders("/a", 1)["Range"].ToString());
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=206", partial.CacheStatus());
        Assert.Equal(0, host.Store.Statistics.Entries);
    }

    [Fact]
    public async Task OwnTargetedField_GovernsTheCache_AndIsNotSentToClients_OtherFieldsPassThrough()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("x", (CacheHost.OwnField, "max-age=30"), ("Cache-Control", "no-store"), ("Other-CDN-Cache-Control", "max-age=5")));

        using var miss = await host.GetAsync("/a");
        using var hit = await host.GetAsync("/a");

        Assert.Null(miss.Header(CacheHost.OwnField));
        Assert.Null(hit.Header(CacheHost.OwnField));
        Assert.Equal("no-store", hit.Header("Cache-Control"));
        Assert.Equal("max-age=5", hit.Header("Other-CDN-Cache-Control")); // RFC 9213 §2.2: others' targeted fields pass through
        Assert.Equal("Gatehouse; hit; ttl=30", hit.CacheStatus());
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task CacheStatus_IsAppendedAfterUpstreamMembers_OnMissAndHit()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("x", ("Cache-Control", "max-age=60"), ("Cache-Status", "OriginCache; hit; ttl=1100")));

        using var miss = await host.GetAsync("/a");
        using var hit = await host.GetAsync("/a");

        Assert.Equal("OriginCache; hit; ttl=1100, Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", miss.CacheStatus());
        Assert.Equal("OriginCache; hit; ttl=1100, Gatehouse; hit; ttl=60", hit.CacheStatus());
    }

    [Fact]
    public async Task ExposeKey_AddsTheKeyToCacheStatus()
    {
        await using var host = await CacheHost.StartAsync(new TestStore(), CacheHost.Settings with { ExposeKey = true });
        host.Origin.Map("/a", Responses.Answer("x", ("Cache-Control", "max-age=60")));

        using var miss = await host.GetAsync("/a?q=1");
        var key = $"http://127.0.0.1:{host.Client.BaseAddress!.Port}/a?q=1";

        Assert.Equal($"Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60; key=\"{key}\"", miss.CacheStatus());
    }

    [Fact]
    public async Task Authorization_ResponseWithoutPermission_IsNotStoredNorServed()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("x", ("Cache-Control", "max-age=60")));
        host.Origin.Map("/public", Responses.Answer("p", ("Cache-Control", "public, max-age=60")));

        using var authorized = await host.GetAsync("/a", ("Authorization", "Bearer t"));
        using var anonymous = await host.GetAsync("/a");
        using var authorizedAgain = await host.GetAsync("/a", ("Authorization", "Bearer t"));
        using var publicMiss = await host.GetAsync("/public", ("Authorization", "Bearer t"));
        using var publicHit = await host.GetAsync("/public", ("Authorization", "Bearer u"));

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200", authorized.CacheStatus());
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", anonymous.CacheStatus());
        Assert.Equal("Gatehouse; fwd=request; fwd-status=200", authorizedAgain.CacheStatus());
        Assert.Equal("Gatehouse; hit; ttl=60", publicHit.CacheStatus());
        Assert.Equal(3, host.Origin.Requests("/a"));
        Assert.Equal(1, host.Origin.Requests("/public"));
    }

    [Fact]
    public async Task IncompleteBody_IsNotStored()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", async (context, number) =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = 10;
            await context.Response.WriteAsync(number == 1 ? "01234" : "0123456789");
            if (number == 1)
            {
                await context.Response.Body.FlushAsync();
                context.Abort();
            }
        });

        // The client sees the truncation as a failed read, or as a 500 if the abort overtook the header section.
        try
        {
            using var first = await host.GetAsync("/a");
            Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        }
        catch (HttpRequestException)
        {
        }
        using var second = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", second.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task DefaultStore_IsTheMemoryStore()
    {
        await using var host = await CacheHost.StartAsync(configure: options => options.MaxBytes = 1024 * 1024);
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60")));

        using var miss = await host.GetAsync("/a");
        using var hit = await host.GetAsync("/a");

        Assert.IsType<Gatehouse.Caching.Storage.MemoryHttpCacheStore>(host.Store);
        Assert.Equal("Gatehouse; hit; ttl=60", hit.CacheStatus());
        Assert.Equal(1, host.Origin.Requests("/a"));
    }
}
