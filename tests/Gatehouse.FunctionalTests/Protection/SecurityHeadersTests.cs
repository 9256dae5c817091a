using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Http;
using static Gatehouse.FunctionalTests.Protection.ProtectionHelpers;

namespace Gatehouse.FunctionalTests.Protection;

public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task Defaults_AreAddedToProxiedResponses_UnlessTheBackendSetThem()
    {
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            if (context.Request.Path == "/own")
            {
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
            }

            await context.Response.WriteAsync("ok");
        });
        await using var proxy = await TestProxy.StartAsync(Config(backend));

        using var plain = await proxy.Client.GetAsync("/x");
        using var own = await proxy.Client.GetAsync("/own");

        Assert.Equal("nosniff", plain.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", plain.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("no-referrer", own.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task GatehousesOwnErrorPages_CarryTheSecurityHeadersToo()
    {
        var down = $"\"d\": {{ \"address\": \"http://127.0.0.1:{TestBackend.UnusedPort()}\" }}";
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(down,
            rootExtra: """, "securityHeaders": { "set": { "X-Frame-Options": "DENY" } }"""));

        using var response = await proxy.Client.GetAsync("/x");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task RouteSettings_MergeOverGlobal_RemoveBackendHeaders_AndReloadLive()
    {
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            context.Response.Headers["X-Response-Note"] = "12ms";
            context.Response.Headers["X-Debug-Token"] = "abc";
            await context.Response.WriteAsync("ok");
        });
        var config = Config(
            backend,
            routeExtra: """, "securityHeaders": { "set": { "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "" }, "remove": ["X-Debug-Token"] }""",
            rootExtra: """, "securityHeaders": { "set": { "X-Frame-Options": "DENY", "Permissions-Policy": "camera=()" }, "remove": ["X-Response-Note"] }""");
        await using var proxy = await TestProxy.StartAsync(config);

        using var response = await proxy.Client.GetAsync("/x");

        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("camera=()", response.Headers.GetValues("Permissions-Policy").Single());
        Assert.False(response.Headers.Contains("X-Content-Type-Options"));
        Assert.False(response.Headers.Contains("X-Response-Note"));
        Assert.False(response.Headers.Contains("X-Debug-Token"));

        Assert.True((await proxy.ReloadAsync(Config(backend))).Applied);
        using var after = await proxy.Client.GetAsync("/x");
        Assert.False(after.Headers.Contains("X-Frame-Options"));
        Assert.Equal("nosniff", after.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("12ms", after.Headers.GetValues("X-Response-Note").Single());
    }

    [Fact]
    public async Task Refusals_CarryTheSecurityHeadersToo()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "accessControl": { "methods": ["GET"] }"""));

        using var response = await proxy.Client.DeleteAsync("/x");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
