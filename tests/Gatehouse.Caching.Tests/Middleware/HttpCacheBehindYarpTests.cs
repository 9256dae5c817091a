using System.Net;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>
/// The cache in front of YARP's proxy endpoint, as Gatehouse runs it: misses, background refreshes (synthetic requests
/// through the proxy pipeline) and YARP's own 502 for an unreachable origin.
/// </summary>
public class HttpCacheBehindYarpTests
{
    [Fact]
    public async Task MissThenHit()
    {
        await using var host = await CacheHost.StartAsync(new TestStore(), throughYarp: true);
        host.Origin.Map("/a", Responses.Answer("hello", ("Cache-Control", "max-age=60")));

        using var miss = await host.GetAsync("/a");
        using var hit = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", miss.CacheStatus());
        Assert.Equal("Gatehouse; hit; ttl=60", hit.CacheStatus());
        Assert.Equal("hello", await hit.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task BackgroundRefresh_GoesThroughTheProxyPipeline()
    {
        var store = new TestStore();
        await using var host = await CacheHost.StartAsync(store, throughYarp: true);
        host.Origin.Map("/a", (context, number) =>
        {
            context.Response.Headers.CacheControl = "max-age=10, stale-while-revalidate=60";
            return context.Response.WriteAsync($"v{number}");
        });
        using var miss = await host.GetAsync("/a?x=1");
        host.Time.Advance(TimeSpan.FromSeconds(15));

        using var stale = await host.GetAsync("/a?x=1");
        await store.WhenWrites(2);
        using var refreshed = await host.GetAsync("/a?x=1");

        Assert.Equal("v1", await stale.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("v2", await refreshed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; hit; ttl=10", refreshed.CacheStatus());
        Assert.Equal("GET", host.Origin.RequestMethod("/a", 2));
    }

    [Fact]
    public async Task UnreachableOrigin_YarpAnswers502_AndStaleIfErrorHidesIt()
    {
        await using var host = await CacheHost.StartAsync(new TestStore(), throughYarp: true);
        host.Origin.Map("/a", Responses.Answer("v1", ("Cache-Control", "max-age=10, stale-if-error=60")));
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));
        await host.Origin.StopAsync();

        using var stale = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("v1", await stale.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=502; ttl=-10; detail=stale-if-error", stale.CacheStatus());
    }
}
