using System.Net;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>Validation of stale entries with the origin (RFC 9111 §4.3) and Vary variants (§4.1).</summary>
public class HttpCacheValidationTests
{
    /// <summary>v1 with an ETag for 10 s; later requests get a 304 when they send that ETag back.</summary>
    private static Func<HttpContext, int, Task> ValidatedResource(string body = "stored body") => (context, number) =>
    {
        context.Response.Headers.CacheControl = "max-age=10";
        context.Response.Headers.ETag = "\"v1\"";
        if (context.Request.Headers.IfNoneMatch == "\"v1\"")
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            context.Response.Headers["X-Validated"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }
        return context.Response.WriteAsync(body);
    };

    [Fact]
    public async Task Stale_IsValidated_304FreshensIt_WithoutABodyFromTheOrigin()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", ValidatedResource());
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));

        using var validated = await host.GetAsync("/a");

        Assert.Equal(HttpStatusCode.OK, validated.StatusCode);
        Assert.Equal("stored body", await validated.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=304; stored; ttl=10", validated.CacheStatus());
        Assert.Equal("2", validated.Header("X-Validated")); // §3.2: the 304's fields update the stored ones
        Assert.Equal(2, host.Origin.Requests("/a"));
        Assert.Equal("\"v1\"", host.Origin.RequestHeaders("/a", 2).IfNoneMatch.ToString());
        Assert.Equal(0, host.Origin.BodyBytes("/a", 2));

        using var hit = await host.GetAsync("/a");
        Assert.Equal("Gatehouse; hit; ttl=10", hit.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task Stale_FullResponseToTheValidation_ReplacesTheEntry()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", Responses.Answer("v1", ("Cache-Control", "max-age=10"), ("ETag", "\"v1\"")));
        using var miss = await host.GetAsync("/a");
        host.Origin.Map("/a", Responses.Answer("v2", ("Cache-Control", "max-age=10"), ("ETag", "\"v2\"")));
        host.Time.Advance(TimeSpan.FromSeconds(20));

        using var replaced = await host.GetAsync("/a");
        using var hit = await host.GetAsync("/a");

        Assert.Equal("v2", await replaced.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=200; stored; ttl=10", replaced.CacheStatus());
        Assert.Equal("v2", await hit.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task ClientConditions_AreAnsweredByTheEntryTheValidationFreshened()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", ValidatedResource());
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));

        using var notModified = await host.GetAsync("/a", ("If-None-Match", "\"v1\""));

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=304; stored; ttl=10", notModified.CacheStatus());
        Assert.Equal(0, host.Origin.BodyBytes("/a", 2));
    }

    [Fact]
    public async Task RequestNoCache_ValidatesAFreshEntry_AsFwdRequest()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", ValidatedResource());
        using var miss = await host.GetAsync("/a");

        using var validated = await host.GetAsync("/a", ("Cache-Control", "no-cache"));

        Assert.Equal("Gatehouse; fwd=request; fwd-status=304; stored; ttl=10", validated.CacheStatus());
        Assert.Equal("stored body", await validated.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task Vary_VariantsCoexist_AndReplacingOneKeepsTheOthers()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", (context, number) =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.Vary = "Accept-Language";
            return context.Response.WriteWithLengthAsync($"{context.Request.Headers.AcceptLanguage} #{number}");
        });

        using var english = await host.GetAsync("/a", ("Accept-Language", "en"));
        using var french = await host.GetAsync("/a", ("Accept-Language", "fr"));
        using var englishHit = await host.GetAsync("/a", ("Accept-Language", "en"));
        using var frenchHit = await host.GetAsync("/a", ("Accept-Language", "fr"));

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60", english.CacheStatus());
        Assert.Equal("Gatehouse; fwd=vary-miss; fwd-status=200; stored; ttl=60", french.CacheStatus());
        Assert.Equal("en #1", await englishHit.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("fr #2", await frenchHit.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, host.Origin.Requests("/a"));

        // A reload of the English variant replaces it, and it alone.
        using var reloaded = await host.GetAsync("/a", ("Accept-Language", "en"), ("Cache-Control", "no-cache"));
        using var englishAfter = await host.GetAsync("/a", ("Accept-Language", "en"));
        using var frenchAfter = await host.GetAsync("/a", ("Accept-Language", "fr"));

        Assert.Equal("en #3", await englishAfter.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("fr #2", await frenchAfter.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Gatehouse; hit; ttl=60", frenchAfter.CacheStatus());
        Assert.Equal(3, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task HeadValidation_304FreshensTheStoredGet()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        host.Origin.Map("/a", ValidatedResource());
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));

        using var head = await host.SendAsync(HttpMethod.Head, "/a");
        using var get = await host.GetAsync("/a");

        Assert.Equal("HEAD", host.Origin.RequestMethod("/a", 2));
        Assert.Equal(11, head.Content.Headers.ContentLength);
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=304; stored; ttl=10", head.CacheStatus());
        Assert.Equal("Gatehouse; hit; ttl=10", get.CacheStatus());
        Assert.Equal(2, host.Origin.Requests("/a"));
    }

    [Fact]
    public async Task HeadResponse_WithTheSameValidator_FreshensTheStoredGet_AnotherMakesItGo_Section4_3_5()
    {
        await using var host = await CacheHost.StartAsync(new TestStore());
        var etag = "\"v1\"";
        host.Origin.Map("/a", (context, _) =>
        {
            context.Response.Headers.CacheControl = "max-age=10";
            context.Response.Headers.ETag = etag;
            context.Response.ContentLength = 2;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("v1");
        });
        using var miss = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));

        // The cache validates a HEAD with a conditional HEAD; this origin ignores conditions and answers 200.
        using var sameHead = await host.SendAsync(HttpMethod.Head, "/a");
        using var freshened = await host.GetAsync("/a");
        host.Time.Advance(TimeSpan.FromSeconds(20));
        etag = "\"v2\"";
        using var changedHead = await host.SendAsync(HttpMethod.Head, "/a");
        using var afterChange = await host.GetAsync("/a");

        Assert.Equal("Gatehouse; fwd=stale; fwd-status=200", sameHead.CacheStatus());
        Assert.Equal("Gatehouse; hit; ttl=10", freshened.CacheStatus());
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=10", afterChange.CacheStatus());
    }
}
