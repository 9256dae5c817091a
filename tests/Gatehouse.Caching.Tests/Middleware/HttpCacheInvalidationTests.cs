using System.Net;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>Unsafe methods: written through, and invalidating on success (RFC 9111 §4, §4.4).</summary>
public class HttpCacheInvalidationTests
{
    [Fact]
    public async Task Post_InvalidatesTheTarget_AndIsForwardedWithFwdMethod()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", (context, number) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status201Created;
                return Task.CompletedTask;
            }
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteWithLengthAsync($"#{number}");
        });
        using var first = await host.GetAsync("/a");

        using var post = await host.SendAsync(HttpMethod.Post, "/a");
        using var after = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal("Gatehouse; fwd=method; fwd-status=201", post.CacheStatus());
        Assert.Equal("#3", await after.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", after.CacheStatus());
    }

    [Fact]
    public async Task Delete_InvalidatesSameOriginLocation_NotAnotherOrigins()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("a", ("Cache-Control", "max-age=60")));
        host.Origin.Map("/b", Responses.Answer("b", ("Cache-Control", "max-age=60")));
        host.Origin.Map("/c", (context, _) =>
        {
            context.Response.Headers.Location = "/a";
            context.Response.Headers.ContentLocation = "http://elsewhere.example/b";
            return Task.CompletedTask;
        });
        using var a = await host.GetAsync("/a");
        using var b = await host.GetAsync("/b");

        using var delete = await host.SendAsync(HttpMethod.Delete, "/c");
        using var aAfter = await host.GetAsync("/a");
        using var bAfter = await host.GetAsync("/b");

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", aAfter.CacheStatus());
        Assert.Equal("Gatehouse; hit; ttl=60", bAfter.CacheStatus());
    }

    [Fact]
    public async Task ErrorResponseToAnUnsafeMethod_InvalidatesNothing()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", (context, _) =>
        {
            if (HttpMethods.IsPut(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return Task.CompletedTask;
            }
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync("a");
        });
        using var first = await host.GetAsync("/a");

        using var put = await host.SendAsync(HttpMethod.Put, "/a");
        using var after = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; fwd=method; fwd-status=500", put.CacheStatus());
        Assert.Equal("Gatehouse; hit; ttl=60", after.CacheStatus());
    }

    [Fact]
    public async Task Tags_ComeFromTheRoutesTagHeader_AndPurgeByTagTakesEffectAtOnce()
    {
        var store = new TestStore();
        await using var host = await CacheHost.StartAsync(store, CacheHost.Settings with { TagHeader = "Surrogate-Key" });
        host.Origin.Map("/a", Responses.Answer("a", ("Cache-Control", "max-age=60"), ("Surrogate-Key", "product-42 list"), ("Cache-Tag", "ignored")));
        using var miss = await host.GetAsync("/a");
        var key = $"http://127.0.0.1:{host.Client.BaseAddress!.Port}/a";
        // The entry is written once the body has gone out, which can be after the client has read it.
        await store.WhenWrites(1).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(["product-42", "list"], store.Entries(key).Single().Tags);
        Assert.Equal(1, await store.RemoveTagAsync("product-42", TestContext.Current.CancellationToken));
        using var after = await host.GetAsync("/a");
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", after.CacheStatus());
    }
}

