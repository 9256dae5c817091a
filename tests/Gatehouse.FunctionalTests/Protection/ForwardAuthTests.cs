using System.Collections.Concurrent;
using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using static Gatehouse.FunctionalTests.Protection.ProtectionHelpers;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>Forward auth against a real auth service (Kestrel on loopback).</summary>
public sealed class ForwardAuthTests
{
    private static string Route(TestBackend auth, string timeout = "5s") => $$"""
        , "accessControl": { "forwardAuth": {
            "address": "{{auth.Address}}verify",
            "timeout": "{{timeout}}",
            "responseHeaders": ["X-User"] } }
        """;

    [Fact]
    public async Task Allowed_TheAuthServiceSeesTheRequest_AndTheBackendGetsItsHeaders()
    {
        var seen = new ConcurrentQueue<IHeaderDictionary>();
        await using var auth = await TestBackend.StartAsync("auth", async context =>
        {
            seen.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
            if (context.Request.Headers.Authorization == "Bearer good")
            {
                context.Response.Headers["X-User"] = "alice";
                context.Response.StatusCode = 204;
                return;
            }

            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"sso\"";
            await context.Response.WriteAsync("who are you?");
        });
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: Route(auth)));

        using var request = new HttpRequestMessage(HttpMethod.Delete, "/orders/7?x=1");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer good");
        request.Headers.TryAddWithoutValidation("X-User", "root");
        request.Headers.Host = "shop.example";
        var headers = await EchoedAsync(await proxy.Client.SendAsync(request));

        Assert.Equal("alice", headers["x-user"]);
        Assert.True(seen.TryDequeue(out var asked));
        Assert.Equal("DELETE", asked["X-Forwarded-Method"]);
        Assert.Equal("http", asked["X-Forwarded-Proto"]);
        Assert.Equal("shop.example", asked["X-Forwarded-Host"]);
        Assert.Equal("/orders/7?x=1", asked["X-Forwarded-Uri"]);
        Assert.Equal("127.0.0.1", asked["X-Forwarded-For"]);
        Assert.Equal("Bearer good", asked.Authorization);
    }

    [Fact]
    public async Task Denied_TheAuthServicesAnswerGoesToTheClient_AndTheBackendIsNeverAsked()
    {
        await using var auth = await TestBackend.StartAsync("auth", async context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "https://sso.example/login?rd=%2F";
            context.Response.Headers["X-Internal"] = "secret";
            await context.Response.WriteAsync("go log in");
        });
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: Route(auth)));

        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = proxy.Address };
        using var response = await noRedirects.GetAsync("/private");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://sso.example/login?rd=%2F", response.Headers.Location?.ToString());
        Assert.Equal("go log in", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("X-Internal"));
        Assert.Equal(0, echo.Requests);
    }

    [Fact]
    public async Task Unauthorized_KeepsTheAuthServicesChallenge()
    {
        await using var auth = await TestBackend.StartAsync("auth", context =>
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"sso\"";
            return Task.CompletedTask;
        });
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: Route(auth)));

        using var response = await proxy.Client.GetAsync("/private");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"sso\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, echo.Requests);
    }

    [Fact]
    public async Task AuthServiceTooSlow_FailsClosedWith504()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var auth = await TestBackend.StartAsync("auth", async context => await release.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: Route(auth, timeout: "300ms")));

        using var response = await proxy.Client.GetAsync("/private");
        release.SetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(0, echo.Requests);
    }

    [Fact]
    public async Task AuthServiceDown_FailsClosedWith503()
    {
        await using var auth = await TestBackend.StartAsync("auth", context => Task.CompletedTask);
        await auth.StopAsync();
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: Route(auth)));

        using var response = await proxy.Client.GetAsync("/private");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var id = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Equal($"503 Service Unavailable: the request could not be authorized.\nRequest id: {id}\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(0, echo.Requests);
    }
}
