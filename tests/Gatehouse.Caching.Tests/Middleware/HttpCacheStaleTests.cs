using System.Net;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>Serving stale: stale-while-revalidate, stale-if-error, must-revalidate (RFC 5861, RFC 9111 §4.2.4).</summary>
public class HttpCacheStaleTests
{
    [Fact]
    public async Task StaleWhileRevalidate_ServesStaleAtOnce_WithOneBackgroundRefresh()
    {
        var store = new TestStore();
        await using var host = await CacheHost.StartAsync(store);
        var refreshMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Origin.Map("/a", async (context, number) =>
        {
            context.Response.Headers.CacheControl = "max-age=10, stale-while-revalidate=60";
            context.Response.Headers.ETag = $"\"v{number}\"";
            context.Response.Headers.Vary = "Accept-Language";
            if (number > 1)
            {
                await refreshMayAnswer.Task; // the refresh is held until every client has been answered
            }
            await context.Response.WriteAsync($"v{number}");
        });
        using var miss = await host.GetAsync("/a", ("Accept-Language", "en"), ("X-Unrelated", "1"));
        host.Time.Advance(TimeSpan.FromSeconds(15));

        var stale = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.GetAsync("/a", ("Accept-Language", "en"))));

        foreach (var response in stale)
        {
            Assert.Equal("v1", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("Gatehouse; hit; ttl=-5; detail=stale-while-revalidate", response.CacheStatus());
            Assert.Equal("15", response.Header("Age"));
            response.Dispose();
        }
        await host.Origin.WhenRequests("/a", 2);
        var refresh = host.Origin.RequestHeaders("/a", 2);
        Assert.Equal("\"v1\"", refresh.IfNoneMatch.ToString());
        Assert.Equal("en", refresh.AcceptLanguage.ToString());
        Assert.False(refresh.ContainsKey("X-Unrelated"));

        refreshMayAnswer.SetResult();
        await store.WhenWrites(2);
        using var refreshed = await host.GetAsync("/a", ("Accept-Language", "en"));

        Assert.Equal("v2", await refreshed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; hit; ttl=10", refreshed.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task StaleWhileRevalidate_Refresh304_FreshensTheEntry()
    {
        var store = new TestStore();
        await using var host = await CacheHost.StartAsync(store);
        host.Origin.Map("/a", (context, number) =>
        {
            context.Response.Headers.CacheControl = "max-age=10, stale-while-revalidate=60";
            context.Response.Headers.ETag = "\"v1\"";
            if (context.Request.Headers.IfNoneMatch == "\"v1\"")
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }
            return context.Response.WriteAsync("v1");
        });
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(15));

        using var stale = await host.GetAsync("/a");
        await store.WhenWrites(2);
        using var fresh = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; hit; ttl=-5; detail=stale-while-revalidate", stale.CacheStatus());
        Assert.Equal("Gatehouse; hit; ttl=10", fresh.CacheStatus());
        Assert.Equal("v1", await fresh.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, host.Origin.BodyBytes("/a", 2));
    }

    [Fact]
    public async Task StaleIfError_ServesStale_WhenTheOriginIsDownOrAnswers5xx()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", (context, number) =>
        {
            if (number > 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return context.Response.WriteAsync("down");
            }
            context.Response.Headers.CacheControl = "max-age=10, stale-if-error=60";
            return context.Response.WriteAsync("v1");
        });
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));

        using var on503 = await host.GetAsync("/a");
        await host.Origin.StopAsync();
        using var onDown = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(60));
        using var pastTheWindow = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.OK, on503.StatusCode);
        Assert.Equal("v1", await on503.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=503; ttl=-10; detail=stale-if-error", on503.CacheStatus());
        Assert.Equal(HttpStatusCode.OK, onDown.StatusCode);
        Assert.Equal("v1", await onDown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=stale; ttl=-10; detail=stale-if-error", onDown.CacheStatus());
        Assert.Equal(HttpStatusCode.InternalServerError, pastTheWindow.StatusCode);
    }

    [Fact]
    public async Task MaxStaleOnError_CoversResponsesWithoutStaleIfError()
    {
        var settings = CacheHost.Settings with { Policy = CacheHost.Settings.Policy with { MaxStaleOnError = TimeSpan.FromMinutes(5) } };
        await using var host = await CacheHost.StartAsync(new TestStore(), settings);
        host.Origin.Map("/a", Responses.Answer("v1", ("Cache-Control", "max-age=10")));
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(100));
        await host.Origin.StopAsync();

        using var stale = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("Gatehouse; fwd=stale; ttl=-90; detail=stale-if-error", stale.CacheStatus());
    }

    [Fact]
    public async Task OriginError_WithoutPermissionToServeStale_IsPassedOn()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", (context, number) =>
        {
            if (number > 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return context.Response.WriteAsync("down");
            }
            context.Response.Headers.CacheControl = "max-age=10";
            return context.Response.WriteAsync("v1");
        });
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));

        using var error = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("down", await error.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=503", error.CacheStatus());
    }

    [Fact]
    public async Task MustRevalidate_OriginDown_Is504_EvenWithStaleIfErrorConfigured()
    {
        var settings = CacheHost.Settings with { Policy = CacheHost.Settings.Policy with { MaxStaleOnError = TimeSpan.FromMinutes(5) } };
        await using var host = await CacheHost.StartAsync(new TestStore(), settings);
        host.Origin.Map("/a", Responses.Answer("v1", ("Cache-Control", "max-age=10, must-revalidate, stale-if-error=60")));
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));
        await host.Origin.StopAsync();

        using var response = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("Gatehouse; fwd=stale; detail=origin-unreachable", response.CacheStatus());
    }
}
